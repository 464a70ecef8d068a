/** The types a runtime keeps in its store (shared/storage `StateShapes`), and the visitor's storage port. */
import type { DeviceKeys, DirectoryView, PrekeyState } from '../protocol/index.js';
import {
  type ClientStore,
  MemoryDatabase,
  openExistingIndexedDbStore,
  openIndexedDbStore,
  openMemoryStore,
} from '../storage/index.js';
import type { AgentAccountRecord } from './agent-account-record.js';
import type { ArchiveItem } from './agent-archive-items.js';
import type { StoredArchiveRecord } from './agent-archive-record.js';
import type { MessageRow } from './conversation-messages.js';
import type { StoredConversationRecord } from './conversation-record.js';

export interface RuntimeShapes {
  readonly deviceKeys: DeviceKeys;
  readonly account: AgentAccountRecord;
  readonly prekeys: PrekeyState;
  /** Version 1 is read to be upgraded (agent-archive-items.ts); this build writes version 2. */
  readonly archive: StoredArchiveRecord;
  readonly directory: DirectoryView;
  /** Version 1 is read to be upgraded (conversation-messages.ts); this build writes version 2. */
  readonly conversation: StoredConversationRecord;
  readonly archiveItem: ArchiveItem;
  readonly message: MessageRow;
}

export type RuntimeStore = ClientStore<RuntimeShapes>;

// The directory view's layout is version 2 since the v2 trust root (notAfter, supported versions, sponsors).
const ACCEPTED = {
  conversation: [1, 2],
  directory: [2],
  deviceKeys: [1],
  prekeys: [1],
  account: [1],
  archive: [1, 2],
  archiveItem: [1],
  message: [1],
} as const;

/** The record versions this build reads, for a store an app opens itself (the agent apps' Dexie store). */
export const RUNTIME_RECORD_VERSIONS = ACCEPTED;

/**
 * Where the visitor's conversation lives. Nothing is written to the browser before the visitor
 * opens a conversation (docs/THREAT-MODEL.md §8): `existing` looks without creating anything.
 */
export interface VisitorStorage {
  existing(): Promise<RuntimeStore | undefined>;
  create(): Promise<RuntimeStore>;
}

/** The widget's storage: the tiny IndexedDB adapter, one database per business. */
export function indexedDbVisitorStorage(name: string): VisitorStorage {
  return {
    existing: () => openExistingIndexedDbStore<RuntimeShapes>({ name, acceptedVersions: ACCEPTED }),
    create: () => openIndexedDbStore<RuntimeShapes>({ name, acceptedVersions: ACCEPTED }),
  };
}

/**
 * Memory storage (tests, and a browser that refuses IndexedDB). `db` outlives the runtime, as a
 * browser's database outlives a page: a runtime made again on the same `db` resumes.
 */
export function memoryVisitorStorage(db: MemoryDatabase = new MemoryDatabase()): VisitorStorage & {
  readonly db: MemoryDatabase;
} {
  let created = false;
  return {
    db,
    existing: () => Promise.resolve(created || db.records.size > 0 ? memoryStore(db) : undefined),
    create: () => {
      created = true;
      return Promise.resolve(memoryStore(db));
    },
  };
}

export function memoryStore(db: MemoryDatabase = new MemoryDatabase()): RuntimeStore {
  return openMemoryStore<RuntimeShapes>(db, { acceptedVersions: ACCEPTED });
}
