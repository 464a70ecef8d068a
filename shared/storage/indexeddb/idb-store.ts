/**
 * The visitor widget's adapter: a few promise wrappers over the platform IndexedDB, no library
 * (the widget has a 30 KB gzip budget for everything). Layout and upgrades: idb-schema.ts.
 * Every commit is one readwrite transaction over the stores its step touches with `durability: 'strict'`,
 * so a step is on disk before the runtime sends, acks or shows anything (a relaxed commit could be
 * lost by a power cut after its envelope left, and the next run would reuse a ratchet key).
 */
import { type BackendOp, FORGOTTEN, type ListScan, type ListStore, type StoreBackend, storesOf } from '../backend.js';
import type { ClientStore, StateShapes } from '../client-store.js';
import { type ClientStoreOptions, createClientStore } from '../record-store.js';
import { StorageSchemaError, StorageUnavailableError } from '../storage-errors.js';
import { IDB_UPGRADES, type IdbUpgrade } from './idb-schema.js';

export interface IndexedDbStoreOptions extends ClientStoreOptions {
  /** The database name (one per widget origin and business, say). */
  readonly name: string;
  /** Defaults to the platform's (globalThis.indexedDB); fake-indexeddb in Node tests. */
  readonly indexedDB?: IDBFactory;
  readonly IDBKeyRange?: typeof IDBKeyRange;
  /** Defaults to IDB_UPGRADES; tests pass a longer list to check an upgrade. */
  readonly upgrades?: readonly IdbUpgrade[];
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new StorageUnavailableError('an IndexedDB request failed'));
    };
  });
}

class IdbBackend implements StoreBackend {
  readonly #db: IDBDatabase;
  readonly #range: typeof IDBKeyRange;

  constructor(db: IDBDatabase, range: typeof IDBKeyRange) {
    this.#db = db;
    this.#range = range;
    // Another tab upgrading the database: let it, and fail this store's later calls instead.
    db.onversionchange = () => {
      db.close();
    };
  }

  #store(name: string): IDBObjectStore {
    return this.#db.transaction(name, 'readonly').objectStore(name);
  }

  get(key: string): Promise<unknown> {
    return done(this.#store('records').get(key));
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    const keys = await done(this.#store('records').getAllKeys(this.#range.bound(prefix, `${prefix}\uffff`)));
    return keys.map(String);
  }

  list(store: ListStore, scan: ListScan): Promise<unknown[]> {
    const count = Number.isFinite(scan.limit) ? scan.limit : undefined;
    const s = this.#store(store);
    return scan.conversation === undefined
      ? done(s.getAll(this.#range.lowerBound(scan.after, true), count))
      : done(
          s
            .index('conversation')
            .getAll(
              this.#range.bound([scan.conversation, scan.after], [scan.conversation, Infinity], true, false),
              count,
            ),
        );
  }

  apply(ops: readonly BackendOp[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const tx = this.#db.transaction(storesOf(ops), 'readwrite', { durability: 'strict' });
      const records = tx.objectStore('records');
      let failure: Error | undefined;
      const fail = (error: unknown): void => {
        failure ??= error instanceof Error ? error : new StorageUnavailableError('the step failed', { cause: error });
        tx.abort();
      };
      tx.oncomplete = () => {
        resolve(seqs);
      };
      tx.onabort = () => {
        reject(failure ?? tx.error ?? new StorageUnavailableError('the transaction was aborted'));
      };
      const seqs: number[] = [];
      // Phase 1: every read the step needs, all against the state before the step.
      const reads = new Map<BackendOp, unknown>();
      let pending = 1;
      const settle = (): void => {
        if (--pending === 0) writeAll();
      };
      for (const op of ops) {
        if (op.op !== 'update') continue;
        pending++;
        const request = records.get(op.key);
        request.onsuccess = () => {
          reads.set(op, request.result);
          settle();
        };
      }
      // Phase 2: the writes in step order (requests of one transaction run in the order made).
      const writeAll = (): void => {
        try {
          for (const op of ops) this.#write(tx, op, reads.get(op), seqs);
        } catch (error) {
          fail(error);
        }
      };
      settle();
    });
  }

  #write(tx: IDBTransaction, op: BackendOp, read: unknown, seqs: number[]): void {
    const records = tx.objectStore('records');
    switch (op.op) {
      case 'put':
        records.put(op.record, op.key);
        return;
      case 'update': {
        const next = op.update(read);
        if (next !== undefined) records.put(next, op.key);
        return;
      }
      case 'delete':
        records.delete(op.key);
        return;
      case 'append': {
        const at = seqs.length;
        seqs.push(0);
        const request = tx.objectStore(op.store).add(op.row);
        request.onsuccess = () => {
          seqs[at] = Number(request.result);
        };
        return;
      }
      case 'remove':
        tx.objectStore(op.store).delete(op.seq);
        return;
      case 'set':
        tx.objectStore(op.store).put({ ...op.row, seq: op.seq });
        return;
      case 'forget': {
        // The step writes nothing else of this conversation (record-store.ts), so order does not matter.
        const range = this.#range.bound([op.conversation, 0], [op.conversation, Infinity]);
        for (const name of FORGOTTEN) {
          const store = tx.objectStore(name);
          const request = store.index('conversation').openKeyCursor(range);
          request.onsuccess = () => {
            const cursor = request.result;
            if (cursor === null) return;
            store.delete(cursor.primaryKey);
            cursor.continue();
          };
        }
        return;
      }
    }
  }

  close(): void {
    this.#db.close();
  }
}

/** Opens the database, or resolves undefined (writing nothing) when `existingOnly` and it does not exist. */
/** True when the engine can list its databases and `name` is not among them. */
async function databaseAbsent(factory: IDBFactory, name: string): Promise<boolean> {
  if (typeof factory.databases !== 'function') return false;
  try {
    return !(await factory.databases()).some((info) => info.name === name);
  } catch {
    return false;
  }
}

/** Removes a database this call created by looking (it held nothing); a failure leaves it empty. */
async function deleteQuietly(factory: IDBFactory, name: string): Promise<void> {
  try {
    await done(factory.deleteDatabase(name));
  } catch {
    // An empty database with no stores: nothing of the visitor's is in it.
  }
}

async function openDatabase(options: IndexedDbStoreOptions, existingOnly: boolean): Promise<IDBDatabase | undefined> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  const upgrades = options.upgrades ?? IDB_UPGRADES;
  if (typeof factory === 'undefined') throw new StorageUnavailableError('IndexedDB is not available here');
  // Looking must not create (THREAT-MODEL §8: nothing stored before the chat is opened). Where the
  // engine lists its databases, an absent one is never opened at all; WebKit keeps listing a new
  // database whose first versionchange was aborted, so the abort below is only the fallback.
  if (existingOnly && (await databaseAbsent(factory, options.name))) return undefined;
  const absent = { found: false };
  try {
    const request = factory.open(options.name, upgrades.length);
    request.onupgradeneeded = (event) => {
      const tx = request.transaction;
      if (tx === null) return;
      if (existingOnly && event.oldVersion === 0) {
        // Aborting the versionchange of a new database removes it again: nothing is written.
        absent.found = true;
        tx.abort();
        return;
      }
      for (let v = event.oldVersion; v < upgrades.length; v++) upgrades[v]?.(request.result, tx);
    };
    return await done(request);
  } catch (error) {
    if (absent.found) {
      await deleteQuietly(factory, options.name);
      return undefined;
    }
    if (error instanceof DOMException && error.name === 'VersionError') {
      throw new StorageSchemaError(
        `database ${options.name} was written by a newer build (this one knows version ${upgrades.length}); update the app`,
        undefined,
        { cause: error },
      );
    }
    throw new StorageUnavailableError(`database ${options.name} cannot be opened`, { cause: error });
  }
}

/** Opens (creating or upgrading) the database and returns the store on it. */
export async function openIndexedDbStore<S extends StateShapes = StateShapes>(
  options: IndexedDbStoreOptions,
): Promise<ClientStore<S>> {
  const db = await openDatabase(options, false);
  if (db === undefined) throw new StorageUnavailableError(`database ${options.name} cannot be opened`);
  return createClientStore<S>(new IdbBackend(db, options.IDBKeyRange ?? globalThis.IDBKeyRange), options);
}

/**
 * The store on the database if it exists already, else undefined, without creating it: a page can
 * look for a stored conversation and write nothing to the browser when there is none.
 */
export async function openExistingIndexedDbStore<S extends StateShapes = StateShapes>(
  options: IndexedDbStoreOptions,
): Promise<ClientStore<S> | undefined> {
  const db = await openDatabase(options, true);
  return db === undefined
    ? undefined
    : createClientStore<S>(new IdbBackend(db, options.IDBKeyRange ?? globalThis.IDBKeyRange), options);
}

/**
 * Deletes the whole database (a visitor's "start afresh" after records this build cannot read, or
 * erase): open connections close on the versionchange. StorageUnavailableError when it fails.
 */
export async function deleteIndexedDbStore(options: Pick<IndexedDbStoreOptions, 'name' | 'indexedDB'>): Promise<void> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (typeof factory === 'undefined') throw new StorageUnavailableError('IndexedDB is not available here');
  try {
    await done(factory.deleteDatabase(options.name));
  } catch (error) {
    throw new StorageUnavailableError(`database ${options.name} cannot be deleted`, { cause: error });
  }
}
