/**
 * The message partitions of the PostgreSQL store (schema version 2, pg-schema.ts): queues in
 * segments of the cursor range, dropped whole once behind the sequence instead of deleting every
 * acknowledged row (issue 14 item 5).
 *
 * One round, on one node at a time (a session advisory lock; a node that does not get it skips):
 * 1. creates partitions ahead of the sequence (SEGMENTS_AHEAD segments), each as a table of its
 *    own then attached (ATTACH takes SHARE UPDATE EXCLUSIVE on `messages`: commits and fetches go
 *    on meanwhile);
 * 2. drops each partition whose cursors have all been drawn, if no row of it is above its queue's
 *    `acked`; or, once it is a whole segment behind the sequence, whatever it still holds: rows
 *    still unacknowledged move to `messages_default` (cursors unchanged) in the same transaction
 *    as the DETACH and DROP. DETACH locks `messages` exclusively for that transaction, with a short
 *    lock_timeout: under contention the round gives up and the next one tries again;
 * 3. deletes acknowledged rows from `messages_default` (late acks, outrun creation: few rows).
 * Nothing here can lose a message: a commit routed while a partition is missing lands in the
 * default partition, and a dropped partition's unacknowledged rows are moved, never deleted.
 */
import type pg from 'pg';

/** pg_try_advisory_lock key of segment rounds ("SEALDESK" + 2, as the other store locks). */
export const SEGMENT_LOCK = '6000841689093161805';
/** Segments of cursors kept created ahead of the sequence. */
export const SEGMENTS_AHEAD = 2;
/** How long a round waits for a lock on `messages` before it gives up (commits queue behind it). */
export const SEGMENT_LOCK_TIMEOUT = '100ms';
const SIZE_KEY = 'message-segment-cursors';
const PARTITION = /^messages_upto_(\d+)$/;

export interface SegmentRound {
  /** Upper bounds (exclusive) of the partitions created. */
  readonly created: readonly number[];
  /** Upper bounds of the partitions dropped. */
  readonly dropped: readonly number[];
  /** Unacknowledged rows moved into the default partition from the partitions dropped. */
  readonly moved: number;
  /** Acknowledged rows deleted from the default partition. */
  readonly cleaned: number;
  /** A lock on `messages` was not granted in time: what is left waits for the next round. */
  readonly gaveUp: boolean;
}

type Row = Readonly<Record<string, unknown>>;

export function partitionName(hi: number): string {
  if (!Number.isSafeInteger(hi) || hi < 1) throw new RangeError(`bad partition bound ${String(hi)}`);
  return `messages_upto_${hi}`;
}

/** Cursors per segment, as the database says (the same for every node). */
export async function segmentCursors(db: pg.Pool | pg.ClientBase): Promise<number> {
  const row = (await db.query<Row>('SELECT value FROM cluster_meta WHERE key = $1', [SIZE_KEY])).rows[0];
  const size = Number(row?.['value']);
  if (!Number.isSafeInteger(size) || size < 1)
    throw new RangeError(`cluster_meta ${SIZE_KEY} is not a positive integer`);
  return size;
}

/** The upper bounds of the range partitions of `messages`, lowest first. */
export async function partitionBounds(db: pg.Pool | pg.ClientBase): Promise<number[]> {
  const r = await db.query<Row>(
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass",
  );
  return r.rows
    .map((row) => PARTITION.exec(String(row['relname']))?.[1])
    .filter((hi): hi is string => hi !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** One round (see above); undefined when another node is running one. */
export async function maintainSegments(client: pg.PoolClient): Promise<SegmentRound | undefined> {
  const locked = (await client.query<Row>('SELECT pg_try_advisory_lock($1) AS ok', [SEGMENT_LOCK])).rows[0];
  if (locked?.['ok'] !== true) return undefined;
  try {
    return await round(client);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [SEGMENT_LOCK]);
  }
}

async function round(client: pg.PoolClient): Promise<SegmentRound> {
  const size = await segmentCursors(client);
  const top = Number(
    (await client.query<Row>('SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS top FROM sealdesk_message_seq'))
      .rows[0]?.['top'],
  );
  const bounds = await partitionBounds(client);
  const created: number[] = [];
  const dropped: number[] = [];
  let moved = 0;
  let gaveUp = false;

  // 1. Ahead of the sequence. If it outran the partitions, the cursors up to one segment past it
  //    stay in the default partition (they may be drawn while this runs).
  let lo = bounds.at(-1) ?? 1;
  if (lo <= top) lo = top + size + 1;
  while (!gaveUp && lo <= top + SEGMENTS_AHEAD * size) {
    const hi = lo + size;
    const outcome = await ddl(client, async () => {
      await client.query(
        `CREATE TABLE ${partitionName(hi)} (LIKE messages INCLUDING DEFAULTS INCLUDING STORAGE) WITH (toast_tuple_target = 8160)`,
      );
      await client.query(
        `ALTER TABLE messages ATTACH PARTITION ${partitionName(hi)} FOR VALUES FROM (${lo}) TO (${hi})`,
      );
    });
    if (outcome === 'done') created.push(hi);
    else if (outcome === 'busy') gaveUp = true;
    else break; // rows of the range were drawn meanwhile (in the default partition): next round
    lo = hi;
  }

  // 2. Behind the sequence.
  for (const hi of bounds) {
    if (gaveUp || hi > top + 1) break; // cursors of this one (and of those after it) are still drawn
    const old = hi <= top + 1 - size;
    if (!old && (await hasUnacknowledged(client, partitionName(hi)))) continue;
    let rows = 0;
    const outcome = await ddl(client, async () => {
      await client.query(`ALTER TABLE messages DETACH PARTITION ${partitionName(hi)}`);
      // Detached, so these rows are routed to the default partition; cursors stay as they were.
      rows =
        (
          await client.query(
            `INSERT INTO messages (queue_id, seq, created_at, conversation_id, envelope)
             SELECT m.queue_id, m.seq, m.created_at, m.conversation_id, m.envelope
             FROM ${partitionName(hi)} m JOIN queues q ON q.queue_id = m.queue_id WHERE m.seq > q.acked`,
          )
        ).rowCount ?? 0;
      await client.query(`DROP TABLE ${partitionName(hi)}`);
    });
    if (outcome === 'busy') gaveUp = true;
    if (outcome !== 'done') continue;
    dropped.push(hi);
    moved += rows;
  }

  // 3. The default partition holds only late rows: delete those acknowledged or of a queue gone.
  const cleaned =
    (
      await client.query(
        'DELETE FROM messages_default m WHERE NOT EXISTS (SELECT 1 FROM queues q WHERE q.queue_id = m.queue_id AND m.seq > q.acked)',
      )
    ).rowCount ?? 0;
  return { created, dropped, moved, cleaned, gaveUp };
}

async function hasUnacknowledged(client: pg.PoolClient, table: string): Promise<boolean> {
  const r = await client.query<Row>(
    `SELECT EXISTS (SELECT 1 FROM ${table} m JOIN queues q ON q.queue_id = m.queue_id WHERE m.seq > q.acked) AS live`,
  );
  return r.rows[0]?.['live'] === true;
}

/**
 * Runs DDL in a transaction with SEGMENT_LOCK_TIMEOUT. 'busy': a lock was not granted in time;
 * 'conflict': the default partition holds rows of a range being attached (check_violation).
 * Both roll back and leave the round to try again later; any other error is thrown.
 */
async function ddl(client: pg.PoolClient, body: () => Promise<void>): Promise<'done' | 'busy' | 'conflict'> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = '${SEGMENT_LOCK_TIMEOUT}'`);
    await body();
    await client.query('COMMIT');
    return 'done';
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const code = (error as { code?: unknown } | null)?.code;
    if (code === '55P03') return 'busy';
    if (code === '23514') return 'conflict';
    throw error;
  }
}
