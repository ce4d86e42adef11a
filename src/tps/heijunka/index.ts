export * from './autoscale.js';
export * from './router.js';
