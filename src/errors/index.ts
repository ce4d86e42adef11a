export * from './codes.js';
export * from './TpsError.js';
export * from './queueErrors.js';
export * from './downstreamErrors.js';
export * from './withoutStack.js';
export * from './storeErrors.js';
export * from './redactSecrets.js';
