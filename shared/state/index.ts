/** State every instance must see, in the app's storage account (Table storage), or in memory for one process. */
export { connectStateStore, type StateConnection } from './connect';
export { MemoryStateStore } from './memory-store';
export { resultKey, type StateStore } from './store';
export { connectOutbox, QueueOutbox } from './outbox';
