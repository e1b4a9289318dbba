export * from './types';
export { MemoryStateStore } from './memory';
export { connectStateStore, type StateConnection } from './connect';
export { connectOutbox, QueueOutbox } from './outbox';
