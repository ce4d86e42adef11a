export * from './Breaker.js';
export * from './BreakerOpenError.js';
export * from './describeFailure.js';
export * from './isTimeoutError.js';
export * from './isTrippingFailure.js';
export * from './Line.js';
export * from './ProbationBreaker.js';
export * from './callBudget.js';
