/**
 * shared/storage: the storage port of a Sealdesk client, its reference (in-memory) adapter and the
 * visitor widget's tiny IndexedDB adapter. The agent apps' Dexie adapter is its own entry point,
 * `shared/storage/dexie/index.ts`, which this index never re-exports (the widget must not bundle Dexie).
 */
export type {
  ArchiveItemDraft,
  ArchiveItemEntry,
  ClientStore,
  CommitResult,
  CursorAdvance,
  HistoryDraft,
  HistoryEntry,
  ListQuery,
  MessageRowDraft,
  MessageRowEntry,
  OutboxDraft,
  OutboxEntry,
  OutboxQuery,
  RecordRef,
  SettingValue,
  StateShapes,
  StoreStep,
  Versioned,
  VersionedRowDraft,
  VersionedRowEntry,
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
export { type BackendOp, FORGOTTEN, type ListScan, type ListStore, type StoreBackend, storesOf } from './backend.js';
export { RECORD_SCHEMAS, type RecordKind, type StateKind, type StoredRecord } from './records.js';
export { MemoryDatabase, memoryBackend, openMemoryStore } from './memory/memory-store.js';
export { IDB_UPGRADES, type IdbUpgrade } from './indexeddb/idb-schema.js';
export {
  type IndexedDbStoreOptions,
  deleteIndexedDbStore,
  openExistingIndexedDbStore,
  openIndexedDbStore,
} from './indexeddb/idb-store.js';
