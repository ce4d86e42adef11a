export * from './KanbanLane.js';
export * from './deadLetter.js';
export * from './retryAfter.js';
