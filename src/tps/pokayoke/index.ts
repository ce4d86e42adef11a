export * from './signalSchema.js';
export * from './validationMessage.js';
export * from './traceQuerySchema.js';
export * from './payloadShape.js';
