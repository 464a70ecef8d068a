/**
 * What an adapter implements: five stores of raw rows and one transaction of operations.
 * `createClientStore` (record-store.ts) builds the typed ClientStore on top, so every adapter
 * (memory, tiny IndexedDB, Dexie) shares the same record checks and step rules.
 *
 *   records  string key → StoredRecord  (states, cursors, settings)
 *   outbox   seq (assigned, increasing, never reused) → ListRow, indexed by [conversation, seq]
 *   history  seq (same) → ListRow, indexed by [conversation, seq]
 *   archiveItems  seq (same) → ListRow, indexed by [conversation, seq]
 *   messages  seq (same) → ListRow, indexed by [conversation, seq]
 */
import type { ListRow, StoredRecord } from './records.js';

export type ListStore = 'outbox' | 'history' | 'archiveItems' | 'messages';

export type BackendOp =
  | { readonly op: 'put'; readonly key: string; readonly record: StoredRecord }
  /**
   * Reads the record at `key` inside the transaction and writes what `update` returns (nothing
   * when it returns undefined). `update` runs synchronously; if it throws, the transaction is
   * aborted and `apply` rejects with that error.
   */
  | {
      readonly op: 'update';
      readonly key: string;
      readonly update: (existing: unknown) => StoredRecord | undefined;
    }
  | { readonly op: 'delete'; readonly key: string }
  | { readonly op: 'append'; readonly store: ListStore; readonly row: ListRow }
  | { readonly op: 'remove'; readonly store: ListStore; readonly seq: number }
  /** Writes `row` at `seq` (a row an append made earlier), replacing it: its place in the list stays. */
  | { readonly op: 'set'; readonly store: ListStore; readonly seq: number; readonly row: ListRow }
  /** Removes every outbox, history and message row of a conversation (hex id); archive items stay (the account's history). */
  | { readonly op: 'forget'; readonly conversation: string };

export interface ListScan {
  /** Only rows of this conversation (hex id). */
  readonly conversation?: string;
  /** Only rows with a larger seq. */
  readonly after: number;
  readonly limit: number;
}

export interface StoreBackend {
  /** The raw record at `key`, or undefined. */
  get(key: string): Promise<unknown>;
  /** Keys of the records store that start with `prefix`, in key order. */
  keysWithPrefix(prefix: string): Promise<string[]>;
  /** Raw rows (each with its `seq`) in seq order. */
  list(store: ListStore, scan: ListScan): Promise<unknown[]>;
  /**
   * Applies `ops` in ONE transaction, all or nothing, and resolves once it is durable. Reads of
   * `update` ops see the stores as they were before the transaction (the caller never names a
   * key twice). Resolves to the seq assigned to each `append`, in order. Rejects with the
   * error an `update` threw, or the engine's error.
   */
  apply(ops: readonly BackendOp[]): Promise<number[]>;
  close(): void;
}

/** The lists `forget` empties of a conversation (archive items are the account's history). */
export const FORGOTTEN: readonly ListStore[] = ['outbox', 'history', 'messages'];

/**
 * The stores a step's ops touch, the scope of its transaction: a step that names only the stores
 * of an older layout runs on a database of that layout (the upgrade tests write one).
 */
export function storesOf(ops: readonly BackendOp[]): string[] {
  const names = new Set<string>(['records']);
  for (const op of ops) {
    if (op.op === 'append' || op.op === 'remove' || op.op === 'set') names.add(op.store);
    else if (op.op === 'forget') for (const name of FORGOTTEN) names.add(name);
  }
  return [...names];
}
