export * from './PostgresStatusStore.js';
