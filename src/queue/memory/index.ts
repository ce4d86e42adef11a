export * from './MemoryWorkQueue.js';
