export * from './MemoryStatusStore.js';
