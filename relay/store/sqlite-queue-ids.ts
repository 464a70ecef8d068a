/**
 * Queue key -> queue_id of the SQLite store (sqlite-schema.ts, version 3): the `queues` table,
 * fronted by a bounded in-memory map. A miss reads the table; a queue that receives its first
 * message gets a row inside the commit transaction that appends the message.
 *
 * Invariant: every id in the map names a committed row of `queues` with that key. So ids found
 * or created inside a commit transaction are collected in a `QueueIdBatch` and remembered only
 * once that transaction has committed (a rolled-back INSERT would otherwise leave an id that a
 * later queue may be given), and every deletion of a row evicts its key.
 */
import type Database from 'better-sqlite3';
import type { QueueKey } from './store.js';
import { LruMap } from './lru-map.js';

/** About 100 bytes per entry: a few MiB at most. */
export const QUEUE_ID_MEMORY_ENTRIES = 20_000;

type Row = Readonly<Record<string, unknown>>;

/** Ids resolved inside one commit transaction, remembered by `QueueIds.remember` after it commits. */
export type QueueIdBatch = Map<QueueKey, number>;

export class QueueIds {
  readonly #cache: LruMap<QueueKey, number>;
  readonly #select: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #deleteEmpty: Database.Statement;
  readonly #sweep: Database.Statement;

  constructor(db: Database.Database, capacity = QUEUE_ID_MEMORY_ENTRIES) {
    this.#cache = new LruMap(capacity);
    this.#select = db.prepare('SELECT queue_id FROM queues WHERE name = ?');
    this.#insert = db.prepare('INSERT INTO queues (name) VALUES (?) RETURNING queue_id');
    this.#delete = db.prepare('DELETE FROM queues WHERE name = ? RETURNING queue_id');
    this.#deleteEmpty = db.prepare(
      'DELETE FROM queues WHERE name = ? AND NOT EXISTS (SELECT 1 FROM messages WHERE messages.queue_id = queues.queue_id)',
    );
    // One probe of messages_queue per queue row: run by the retention purge, once a minute.
    this.#sweep = db.prepare(
      'DELETE FROM queues WHERE NOT EXISTS (SELECT 1 FROM messages WHERE messages.queue_id = queues.queue_id) RETURNING name',
    );
  }

  /** Cached entries, for tests and diagnostics. */
  get cached(): number {
    return this.#cache.size;
  }

  /** The id of a committed queue, or undefined. Outside a commit transaction only. */
  find(name: QueueKey): number | undefined {
    const cached = this.#cache.get(name);
    if (cached !== undefined) return cached;
    const id = this.#read(name);
    if (id !== undefined) this.#cache.set(name, id);
    return id;
  }

  /**
   * Inside a commit transaction: the queue's id, its row inserted first if `create` and it has
   * none (undefined if not `create` and it has none). New and read ids go to `batch` only.
   */
  resolve(name: QueueKey, batch: QueueIdBatch, create: boolean): number | undefined {
    const known = this.#cache.get(name) ?? batch.get(name);
    if (known !== undefined) return known;
    let id = this.#read(name);
    if (id === undefined && create) id = Number((this.#insert.get(name) as Row)['queue_id']);
    if (id !== undefined) batch.set(name, id);
    return id;
  }

  /** After the transaction that filled `batch` has committed. */
  remember(batch: QueueIdBatch): void {
    for (const [name, id] of batch) this.#cache.set(name, id);
  }

  /**
   * Deletes the queue's row (the caller deletes its messages in the same transaction) and
   * returns its id, or undefined if it had none. The key is evicted even if the transaction
   * then rolls back: a miss only reads the table again.
   */
  delete(name: QueueKey): number | undefined {
    this.#cache.delete(name);
    const row = this.#delete.get(name) as Row | undefined;
    return row === undefined ? undefined : Number(row['queue_id']);
  }

  /** Deletes the queue's row if it has no pending messages (evicted either way, as in `delete`). */
  deleteIfEmpty(name: QueueKey): void {
    this.#cache.delete(name);
    this.#deleteEmpty.run(name);
  }

  /** Deletes the rows of queues without pending messages (they get a new id if used again). */
  sweepEmpty(): number {
    const rows = this.#sweep.all() as Row[];
    for (const row of rows) this.#cache.delete(String(row['name']));
    return rows.length;
  }

  #read(name: QueueKey): number | undefined {
    const row = this.#select.get(name) as Row | undefined;
    return row === undefined ? undefined : Number(row['queue_id']);
  }
}
