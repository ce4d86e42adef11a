export * from './signalSchema.js';
export * from './validationMessage.js';
