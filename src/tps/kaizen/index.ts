export * from './Percentiles.js';
export * from './RollingCounter.js';
export * from './SloTracker.js';
export * from './countsAsAvailable.js';
