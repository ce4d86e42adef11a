export * from './AndonBoard.js';
export * from './stations.js';
