/**
 * The three adapters as StoreHarnesses for the contract suite. The IndexedDB ones take the
 * factory to use (fake-indexeddb in Node, the page's own in Chromium) and write raw records with
 * plain IndexedDB calls, as a damaged disk or another build of the app would.
 */
import { MemoryDatabase, openIndexedDbStore, openMemoryStore } from '../../../shared/storage/index.js';
import { openDexieStore } from '../../../shared/storage/dexie/index.js';
import type { StoreHarness, TestShapes } from './store-contract.cases.js';

export interface IdbEnvironment {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
}

export function memoryHarness(): StoreHarness {
  let db = new MemoryDatabase();
  return {
    name: 'memory',
    reset: () => {
      db = new MemoryDatabase();
      return Promise.resolve();
    },
    open: (options) => Promise.resolve(openMemoryStore<TestShapes>(db, options)),
    writeRaw: (key, value) => {
      db.records.set(key, structuredClone(value));
      return Promise.resolve();
    },
    readRaw: (key) => Promise.resolve(structuredClone(db.records.get(key))),
    writeRawRow: (store, row) => {
      const seq = Number(row['seq']);
      db.lists[store].set(seq, structuredClone(row));
      db.nextSeq[store] = Math.max(db.nextSeq[store], seq + 1);
      return Promise.resolve();
    },
  };
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => {
      resolve(r.result);
    };
    r.onerror = () => {
      reject(r.error ?? new Error('IndexedDB request failed'));
    };
  });
}

/** One raw IndexedDB call on the database as it is (no version given: no upgrade). */
async function raw<T>(
  env: IdbEnvironment,
  name: string,
  store: string,
  run: (s: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await request(env.indexedDB.open(name));
  try {
    const tx = db.transaction(store, 'readwrite');
    const result = await request(run(tx.objectStore(store)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => {
        resolve();
      };
      tx.onabort = () => {
        reject(tx.error ?? new Error('aborted'));
      };
    });
    return result;
  } finally {
    db.close();
  }
}

function idbHarness(
  label: string,
  env: IdbEnvironment,
  open: StoreHarness['open'] extends (...a: infer A) => infer R ? (name: string, ...a: A) => R : never,
): StoreHarness {
  let counter = 0;
  let name = '';
  const prefix = `sealdesk-contract-${label}-${Date.now().toString(36)}`;
  return {
    name: label,
    reset: () => {
      counter += 1;
      name = `${prefix}-${counter}`;
      return Promise.resolve();
    },
    open: (options) => open(name, options),
    writeRaw: async (key, value) => {
      await raw(env, name, 'records', (s) => s.put(value, key));
    },
    readRaw: (key) => raw(env, name, 'records', (s) => s.get(key)),
    writeRawRow: async (store, row) => {
      await raw(env, name, store, (s) => s.put(row));
    },
  };
}

export function indexedDbHarness(env: IdbEnvironment, label = 'tiny IndexedDB'): StoreHarness {
  return idbHarness(label, env, (name, options) => openIndexedDbStore<TestShapes>({ ...options, name, ...env }));
}

export function dexieHarness(env: IdbEnvironment, label = 'Dexie'): StoreHarness {
  return idbHarness(label, env, (name, options) => openDexieStore<TestShapes>({ ...options, name, ...env }));
}
