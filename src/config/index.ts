export * from './Config.js';
export * from './spec.js';
export { describeAccepted } from './schema.js';
