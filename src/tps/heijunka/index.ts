export * from './autoscale.js';
export * from './router.js';
export * from './shareCapacity.js';
