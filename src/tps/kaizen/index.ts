export * from './Percentiles.js';
export * from './RollingCounter.js';
