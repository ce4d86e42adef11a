export * from './measureValueStream.js';
export * from './summarizeTrace.js';
