/**
 * The reference adapter: the stores as Maps in a MemoryDatabase that outlives the stores
 * opened on it (so "close and reopen" means what it means for IndexedDB). Values are copied with
 * structuredClone on the way in and out, exactly as IndexedDB copies them: a caller never shares
 * an object with the store, CryptoKeys stay CryptoKeys, and a value IndexedDB would refuse
 * (DataCloneError) is refused here too. A transaction checks and copies everything first and
 * changes the Maps only when nothing can fail any more, so it is all or nothing.
 */
import { type BackendOp, FORGOTTEN, type ListScan, type ListStore, type StoreBackend } from '../backend.js';
import type { ClientStore, StateShapes } from '../client-store.js';
import { type ClientStoreOptions, createClientStore } from '../record-store.js';

export class MemoryDatabase {
  readonly records = new Map<string, unknown>();
  readonly lists: Readonly<Record<ListStore, Map<number, unknown>>> = {
    outbox: new Map(),
    history: new Map(),
    archiveItems: new Map(),
    messages: new Map(),
  };
  /** Like an IndexedDB key generator: the next seq per list store, never reused. */
  readonly nextSeq: Record<ListStore, number> = { outbox: 1, history: 1, archiveItems: 1, messages: 1 };
}

function conversationOf(row: unknown): unknown {
  return typeof row === 'object' && row !== null ? (row as { conversation?: unknown }).conversation : undefined;
}

class MemoryBackend implements StoreBackend {
  readonly #db: MemoryDatabase;

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  get(key: string): Promise<unknown> {
    const raw = this.#db.records.get(key);
    return Promise.resolve(raw === undefined ? undefined : structuredClone(raw));
  }

  keysWithPrefix(prefix: string): Promise<string[]> {
    return Promise.resolve([...this.#db.records.keys()].filter((k) => k.startsWith(prefix)).sort());
  }

  list(store: ListStore, scan: ListScan): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const [seq, row] of this.#db.lists[store]) {
      if (out.length >= scan.limit) break;
      if (seq > scan.after && (scan.conversation === undefined || conversationOf(row) === scan.conversation)) {
        out.push(structuredClone(row));
      }
    }
    return Promise.resolve(out);
  }

  async apply(ops: readonly BackendOp[]): Promise<number[]> {
    await Promise.resolve();
    const db = this.#db;
    const next = { ...db.nextSeq };
    const seqs: number[] = [];
    const changes: (() => void)[] = [];
    // Phase 1: everything that can fail (clones, update checks), with no change to the database.
    for (const op of ops) {
      switch (op.op) {
        case 'put': {
          const copy = structuredClone(op.record);
          changes.push(() => db.records.set(op.key, copy));
          break;
        }
        case 'update': {
          const result = op.update(db.records.get(op.key));
          if (result === undefined) break;
          const copy = structuredClone(result);
          changes.push(() => db.records.set(op.key, copy));
          break;
        }
        case 'delete':
          changes.push(() => db.records.delete(op.key));
          break;
        case 'append': {
          const seq = next[op.store]++;
          const copy = { ...structuredClone(op.row), seq };
          seqs.push(seq);
          changes.push(() => db.lists[op.store].set(seq, copy));
          break;
        }
        case 'remove':
          changes.push(() => db.lists[op.store].delete(op.seq));
          break;
        case 'set': {
          const copy = { ...structuredClone(op.row), seq: op.seq };
          changes.push(() => db.lists[op.store].set(op.seq, copy));
          break;
        }
        case 'forget':
          changes.push(() => {
            for (const list of FORGOTTEN.map((name) => db.lists[name])) {
              for (const [seq, row] of list) if (conversationOf(row) === op.conversation) list.delete(seq);
            }
          });
          break;
      }
    }
    // Phase 2: nothing below can throw.
    for (const change of changes) change();
    Object.assign(db.nextSeq, next);
    return seqs;
  }

  close(): void {
    // The database lives on for the next open, as an IndexedDB database does.
  }
}

/** Opens a store on `db` (a fresh MemoryDatabase if none is given). */
export function openMemoryStore<S extends StateShapes = StateShapes>(
  db: MemoryDatabase = new MemoryDatabase(),
  options: ClientStoreOptions = {},
): ClientStore<S> {
  return createClientStore<S>(new MemoryBackend(db), options);
}

/** The backend itself, for tests that write raw (damaged) records. */
export function memoryBackend(db: MemoryDatabase): StoreBackend {
  return new MemoryBackend(db);
}
