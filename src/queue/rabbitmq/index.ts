export * from './RabbitMqWorkQueue.js';
export * from './topology.js';
