/**
 * The agent apps' adapter (extension and PWA), on Dexie. Only the agent apps import this folder:
 * the widget never bundles Dexie (size budget). Layout and upgrades: dexie-schema.ts. A commit is
 * one Dexie 'rw' transaction over the tables its step touches with Chromium's strict durability, so a step
 * is on disk before the runtime sends, acks or shows anything.
 */
import { Dexie, type Table } from 'dexie';
import {
  type BackendOp,
  type ClientStore,
  type ClientStoreOptions,
  type ListScan,
  type ListStore,
  type StateShapes,
  type StoreBackend,
  StorageSchemaError,
  StorageUnavailableError,
  createClientStore,
  FORGOTTEN,
  storesOf,
} from '../index.js';
import { DEXIE_VERSIONS, type DexieVersion } from './dexie-schema.js';

export interface DexieStoreOptions extends ClientStoreOptions {
  readonly name: string;
  /** Default: the platform's; fake-indexeddb in Node tests. */
  readonly indexedDB?: IDBFactory;
  readonly IDBKeyRange?: typeof IDBKeyRange;
  /** Defaults to DEXIE_VERSIONS; tests pass a longer list to check an upgrade. */
  readonly versions?: readonly DexieVersion[];
}

class DexieBackend implements StoreBackend {
  readonly #db: Dexie;

  constructor(db: Dexie) {
    this.#db = db;
  }

  #table(name: string): Table<unknown, string | number> {
    return this.#db.table(name);
  }

  get(key: string): Promise<unknown> {
    return this.#table('records').get(key);
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    const keys = await this.#table('records').where(':id').startsWith(prefix).primaryKeys();
    return keys.map(String);
  }

  list(store: ListStore, scan: ListScan): Promise<unknown[]> {
    const table = this.#table(store);
    const rows =
      scan.conversation === undefined
        ? table.where('seq').above(scan.after)
        : table
            .where('[conversation+seq]')
            .between([scan.conversation, scan.after], [scan.conversation, Dexie.maxKey], false, true);
    return Number.isFinite(scan.limit) ? rows.limit(scan.limit).toArray() : rows.toArray();
  }

  apply(ops: readonly BackendOp[]): Promise<number[]> {
    const records = this.#table('records');
    return this.#db.transaction('rw', storesOf(ops), async () => {
      // Reads first, against the state before the step; then the writes in step order.
      const reads = await Promise.all(
        ops.map((op) => (op.op === 'update' ? records.get(op.key) : Promise.resolve(undefined))),
      );
      const writes: Promise<unknown>[] = [];
      const appends: Promise<string | number>[] = [];
      ops.forEach((op, i) => {
        switch (op.op) {
          case 'put':
            writes.push(records.put(op.record, op.key));
            return;
          case 'update': {
            const next = op.update(reads[i]);
            if (next !== undefined) writes.push(records.put(next, op.key));
            return;
          }
          case 'delete':
            writes.push(records.delete(op.key));
            return;
          case 'append':
            appends.push(this.#table(op.store).add(op.row));
            return;
          case 'remove':
            writes.push(this.#table(op.store).delete(op.seq));
            return;
          case 'set':
            writes.push(this.#table(op.store).put({ ...op.row, seq: op.seq }));
            return;
          case 'forget':
            for (const name of FORGOTTEN) {
              writes.push(
                this.#table(name)
                  .where('[conversation+seq]')
                  .between([op.conversation, Dexie.minKey], [op.conversation, Dexie.maxKey], true, true)
                  .delete(),
              );
            }
            return;
        }
      });
      await Promise.all(writes);
      return (await Promise.all(appends)).map(Number);
    });
  }

  close(): void {
    this.#db.close();
  }
}

/** Opens (creating or upgrading) the Dexie database and returns the store on it. */
export async function openDexieStore<S extends StateShapes = StateShapes>(
  options: DexieStoreOptions,
): Promise<ClientStore<S>> {
  const versions = options.versions ?? DEXIE_VERSIONS;
  const db = new Dexie(options.name, {
    chromeTransactionDurability: 'strict',
    ...(options.indexedDB === undefined ? {} : { indexedDB: options.indexedDB }),
    ...(options.IDBKeyRange === undefined ? {} : { IDBKeyRange: options.IDBKeyRange }),
  });
  for (const v of versions) {
    const version = db.version(v.version).stores({ ...v.stores });
    if (v.upgrade !== undefined) version.upgrade(v.upgrade);
  }
  try {
    await db.open();
  } catch (error) {
    db.close();
    throw new StorageUnavailableError(`database ${options.name} cannot be opened`, { cause: error });
  }
  // Dexie opens a database of a newer version as it is; this build must not write into it.
  // (Dexie keeps version v as native IndexedDB version 10·v.)
  const latest = Math.max(...versions.map((v) => v.version));
  const installed = db.backendDB().version / 10;
  if (installed > latest) {
    db.close();
    throw new StorageSchemaError(
      `database ${options.name} was written by a newer build (version ${installed}, this one knows ${latest}); update the app`,
      undefined,
    );
  }
  return createClientStore<S>(new DexieBackend(db), options);
}
