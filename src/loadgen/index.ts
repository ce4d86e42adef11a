export * from './formatReport.js';
export type * from './LoadReport.js';
export * from './loopback.js';
export * from './runOpenModelLoad.js';
export * from './schedule.js';
export * from './capacity.js';
export * from './compare.js';
export * from './mix.js';
export * from './ramp.js';
