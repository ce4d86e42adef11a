export * from './FallbackWorkQueue.js';
