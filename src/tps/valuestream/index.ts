export * from './measureValueStream.js';
export * from './summarizeTrace.js';
export * from './taktAndCycle.js';
export * from './TraceAdmission.js';
