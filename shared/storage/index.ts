/**
 * shared/storage: the storage port of a Sealdesk client and its reference (in-memory) adapter.
 * The IndexedDB adapters have their own entry points so that each app bundles only its own:
 * `shared/storage/indexeddb/index.js` (visitor widget) and `shared/storage/dexie/index.js` (agent apps).
 */
export type {
  ClientStore,
  CommitResult,
  CursorAdvance,
  HistoryDraft,
  HistoryEntry,
  ListQuery,
  OutboxDraft,
  OutboxEntry,
  OutboxQuery,
  RecordRef,
  SettingValue,
  StateShapes,
  StoreStep,
  Versioned,
} from './client-store.js';
export { type CursorQueue, deviceQueue, isCursorQueue, visitorQueue } from './cursor-queues.js';
export {
  StorageCorruptError,
  StorageError,
  StorageSchemaError,
  StorageUnavailableError,
  StorageWriteError,
  WRITE_FAILURES,
  type WriteFailure,
} from './storage-errors.js';
export { type ClientStoreOptions, createClientStore } from './record-store.js';
export type { BackendOp, ListScan, ListStore, StoreBackend } from './backend.js';
export { RECORD_SCHEMAS, type RecordKind, type StateKind, type StoredRecord } from './records.js';
export { MemoryDatabase, memoryBackend, openMemoryStore } from './memory/memory-store.js';
