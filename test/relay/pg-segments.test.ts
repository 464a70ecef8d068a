/**
 * Issue 14 item 5 on PostgreSQL: queues in segments (schema version 2, relay/store/pg-segments.ts),
 * against the machine's server, each test in a database of its own.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PgStore } from '../../relay/store/pg-store.js';
import { MIGRATIONS, PG_SCHEMA_VERSION } from '../../relay/store/pg-schema.js';
import { partitionBounds, SEGMENT_LOCK, SEGMENTS_AHEAD } from '../../relay/store/pg-segments.js';
import { type ChainedSeq, deviceQueue, visitorQueue } from '../../relay/store/store.js';
import { createTestDatabase, type TestDatabase } from './support/pg-database.js';

const hex = (n: number): string => n.toString(16).padStart(32, '0');
const A = hex(1);
const C = hex(21);
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

async function sql<T>(db: TestDatabase, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Rows physically in `messages` (acknowledged or not), per partition name. */
async function rowsByPartition(db: TestDatabase): Promise<Map<string, number>> {
  return sql(db, async (c) => {
    const r = await c.query<{ part: string; n: string }>(
      'SELECT tableoid::regclass::text AS part, count(*) AS n FROM messages GROUP BY 1',
    );
    return new Map(r.rows.map((row) => [row.part, Number(row.n)]));
  });
}

/**
 * A fresh database whose segments are `size` cursors from the sequence's value `start` on (as an
 * operator changing cluster_meta would get): the first open migrates with the default size.
 */
async function withSmallSegments(
  size: number,
  nodes: number,
  run: (stores: PgStore[], db: TestDatabase) => Promise<void>,
): Promise<void> {
  const db = await createTestDatabase();
  const stores: PgStore[] = [];
  try {
    await (await PgStore.open(db.url)).close();
    await sql(db, async (c) => {
      const highest = (await partitionBounds(c)).at(-1) ?? 1;
      await c.query("UPDATE cluster_meta SET value = $1 WHERE key = 'message-segment-cursors'", [String(size)]);
      await c.query("SELECT setval('sealdesk_message_seq', $1)", [highest - 1]);
    });
    for (let i = 0; i < nodes; i++) stores.push(await PgStore.open(db.url, { poolSize: 4 }));
    await run(stores, db);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await db.drop();
  }
}

/** A round that starts after everything before it: a call may join a round already running. */
async function settle(s: PgStore): Promise<void> {
  await s.maintainSegments();
  await s.maintainSegments();
}

function first<T>(items: readonly T[]): T {
  const [item] = items;
  if (item === undefined) throw new Error('empty');
  return item;
}

describe('PostgreSQL queues in segments (#14.5)', () => {
  it('#14.5: migrating a version-1 database with queued messages keeps every message and its cursor', async () => {
    const db = await createTestDatabase();
    try {
      const v1 = first(MIGRATIONS.filter((m) => m.version === 1));
      const q1 = deviceQueue(A, hex(11));
      const q2 = visitorQueue(C);
      const committed = await sql(db, async (c) => {
        // What a version-1 relay left: its schema, and messages queued and acknowledged through it.
        await c.query(
          'CREATE TABLE sealdesk_schema (id integer PRIMARY KEY CHECK (id = 0), version integer NOT NULL, oldest_compatible integer NOT NULL)',
        );
        await c.query(v1.sql);
        await c.query('INSERT INTO sealdesk_schema VALUES (0, 1, 1)');
        const seqs: number[] = [];
        for (let t = 0; t < 5; t++) {
          const r = await c.query<{ seq: string }>(
            'SELECT seq FROM sealdesk_commit($1, $2, $3, $4, $5, $6, $7, $8, $9)',
            [[q1, q2, q1], [C, C, C], Buffer.from([t, 1, t, 2, t, 3]), [0, 2, 4], [2, 2, 2], [], [], [], t],
          );
          seqs.push(...r.rows.map((row) => Number(row.seq)));
        }
        // The version-1 ack deletes q1's first two messages.
        await c.query('SELECT * FROM sealdesk_commit($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
          [],
          [],
          Buffer.alloc(0),
          [],
          [],
          [q1],
          [seqs[2]],
          [],
          9,
        ]);
        return seqs;
      });
      const store = await PgStore.open(db.url);
      try {
        const version = await sql(db, async (c) => (await c.query('SELECT version FROM sealdesk_schema')).rows[0]);
        expect(version).toEqual({ version: PG_SCHEMA_VERSION });
        const expected1 = committed.flatMap((seq, i) => (i % 3 !== 1 && i > 2 ? [seq] : []));
        const got1 = await store.fetchQueue(q1, 0, 100);
        expect(got1.map((m) => m.seq)).toEqual(expected1);
        expect(got1.map((m) => [...m.envelope])).toEqual([
          [1, 1],
          [1, 3],
          [2, 1],
          [2, 3],
          [3, 1],
          [3, 3],
          [4, 1],
          [4, 3],
        ]);
        const got2 = await store.fetchQueue(q2, 0, 100);
        expect(got2.map((m) => m.seq)).toEqual(committed.filter((_, i) => i % 3 === 1));
        expect(await store.queueStats()).toEqual({ pendingMessages: 13, queues: 2, deepestQueue: 8 });
        // Heads unchanged, and the next message chains to the last one migrated.
        const heads = await store.queueHeads([q1]);
        expect(heads.get(q1)?.head).toBe(expected1.at(-1));
        const [next] = await store.commitChained([{ queue: q1, conversationId: C, envelope: bytes(9) }], [], 10);
        expect(next?.previous).toBe(expected1.at(-1));
        expect((next?.seq ?? 0) > (committed.at(-1) ?? 0)).toBe(true);
        // Everything sits in partitions: none of the version-1 table is left.
        const tables = await sql(db, async (c) => (await c.query("SELECT to_regclass('messages_v1') AS t")).rows[0]);
        expect(tables).toEqual({ t: null });
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('#14.5: an ack raises the acked cursor only; acknowledged rows are never fetched nor counted, and an ack beyond the head hides nothing later', () =>
    withSmallSegments(1_000, 1, async ([s], db) => {
      if (s === undefined) throw new Error('no store');
      const q = deviceQueue(A, hex(11));
      const seqs = await s.commit(
        [1, 2, 3].map((b) => ({ queue: q, conversationId: C, envelope: bytes(b) })),
        [],
        1,
      );
      await s.commit([], [{ queue: q, upTo: seqs[1] ?? 0 }], 2);
      // Still on disk (no per-row delete), but neither fetched nor counted.
      expect([...(await rowsByPartition(db)).values()].reduce((a, b) => a + b, 0)).toBe(3);
      expect((await s.fetchQueue(q, 0, 10)).map((m) => m.seq)).toEqual([seqs[2]]);
      expect(await s.queueStats()).toEqual({ pendingMessages: 1, queues: 1, deepestQueue: 1 });
      // An ack far beyond the head acknowledges what is there and no cursor drawn later.
      await s.commit([], [{ queue: q, upTo: Number.MAX_SAFE_INTEGER }], 3);
      expect(await s.fetchQueue(q, 0, 10)).toEqual([]);
      const later = await s.commit([{ queue: q, conversationId: C, envelope: bytes(4) }], [], 4);
      expect(await s.fetchQueue(q, 0, 10)).toEqual([{ seq: later[0], envelope: bytes(4) }]);
      // An older ack never lowers the cursor.
      await s.commit([], [{ queue: q, upTo: seqs[0] ?? 0 }], 5);
      expect((await s.fetchQueue(q, 0, 10)).map((m) => m.seq)).toEqual(later);
    }));

  it('#14.5: partitions are created ahead of the sequence and dropped whole once everything in them is acknowledged', () =>
    withSmallSegments(10, 1, async ([s], db) => {
      if (s === undefined) throw new Error('no store');
      const start = await sql(db, async (c) => partitionBounds(c));
      // Ahead: the partitions cover at least SEGMENTS_AHEAD segments past the sequence.
      expect(start).toHaveLength(SEGMENTS_AHEAD);
      const q = deviceQueue(A, hex(11));
      const seqs: number[] = [];
      for (let i = 0; i < 4; i++) {
        // Each batch acknowledges the one before it (a receiver a little behind).
        const acks = seqs.length === 0 ? [] : [{ queue: q, upTo: seqs.at(-1) ?? 0 }];
        seqs.push(
          ...(await s.commit(
            Array.from({ length: 10 }, (_, j) => ({ queue: q, conversationId: C, envelope: bytes(i, j) })),
            acks,
            i,
          )),
        );
        await settle(s);
      }
      const top = seqs.at(-1) ?? 0;
      const bounds = await sql(db, async (c) => partitionBounds(c));
      expect(bounds.at(-1)).toBeGreaterThan(top + (SEGMENTS_AHEAD - 1) * 10);
      // The acknowledged segments were dropped whole: nothing moved, the last batch still queued.
      expect(bounds.every((hi) => hi > top - 10)).toBe(true);
      const rows = await rowsByPartition(db);
      expect(rows.get('messages_default') ?? 0).toBe(0);
      expect([...rows.values()].reduce((a, b) => a + b, 0)).toBe(10);
      expect((await s.fetchQueue(q, 0, 100)).map((m) => m.seq)).toEqual(seqs.slice(-10));
      // Everything acknowledged: every partition whose cursors are all drawn is dropped whole.
      // (An ack-only commit draws no cursor, so starts no round: this one is fresh.)
      await s.commit([], [{ queue: q, upTo: top }], 5);
      const round = await s.maintainSegments();
      expect(round?.moved).toBe(0);
      expect(round?.dropped.length).toBeGreaterThan(0);
      const left = await sql(db, async (c) => partitionBounds(c));
      expect(left.every((hi) => hi > top + 1)).toBe(true);
      expect([...(await rowsByPartition(db)).values()].reduce((a, b) => a + b, 0)).toBeLessThan(10);
      expect(await s.fetchQueue(q, 0, 100)).toEqual([]);
      const [next] = await s.commit([{ queue: q, conversationId: C, envelope: bytes(7) }], [], 6);
      expect((next ?? 0) > top).toBe(true);
      expect(await s.fetchQueue(q, 0, 100)).toEqual([{ seq: next, envelope: bytes(7) }]);
    }));

  it('#14.5: a partition a segment behind the sequence moves its unacknowledged rows to the default partition, cursors and order unchanged', () =>
    withSmallSegments(10, 1, async ([s], db) => {
      if (s === undefined) throw new Error('no store');
      const slow = deviceQueue(A, hex(11));
      const fast = deviceQueue(A, hex(12));
      const slowSeqs: number[] = [];
      for (let i = 0; i < 6; i++) {
        const batch = [slow, fast, fast, fast, fast].map((queue, j) => ({
          queue,
          conversationId: C,
          envelope: bytes(i, j),
        }));
        const seqs = await s.commit(batch, [], i);
        slowSeqs.push(seqs[0] ?? 0);
        await s.commit([], [{ queue: fast, upTo: seqs.at(-1) ?? 0 }], i);
      }
      await settle(s);
      const rows = await rowsByPartition(db);
      // The slow queue's rows of old segments now sit in the default partition; the fast queue's are gone.
      expect(rows.get('messages_default') ?? 0).toBeGreaterThan(0);
      expect([...rows.values()].reduce((a, b) => a + b, 0)).toBeLessThan(30);
      const fetched = await s.fetchQueue(slow, 0, 100);
      expect(fetched.map((m) => m.seq)).toEqual(slowSeqs);
      expect(fetched.map((m) => m.envelope[0])).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await s.fetchQueue(fast, 0, 100)).toEqual([]);
      // Acknowledged later: a round deletes them from the default partition.
      await s.commit([], [{ queue: slow, upTo: slowSeqs.at(-1) ?? 0 }], 9);
      await settle(s);
      expect((await rowsByPartition(db)).get('messages_default') ?? 0).toBe(0);
    }));

  it('#14.5: a commit that outruns the partitions lands in the default partition, is fetched, and creation resumes past it', () =>
    withSmallSegments(10, 1, async ([s], db) => {
      if (s === undefined) throw new Error('no store');
      const q = visitorQueue(C);
      // One batch of 50 cursors: more than the SEGMENTS_AHEAD partitions of 10 hold.
      const seqs = await s.commit(
        Array.from({ length: 50 }, (_, i) => ({ queue: q, conversationId: C, envelope: bytes(i) })),
        [],
        1,
      );
      expect((await rowsByPartition(db)).get('messages_default') ?? 0).toBeGreaterThan(0);
      expect((await s.fetchQueue(q, 0, 100)).map((m) => m.seq)).toEqual(seqs);
      await settle(s);
      const bounds = await sql(db, async (c) => partitionBounds(c));
      expect(bounds.some((hi) => hi > (seqs.at(-1) ?? 0) + 1)).toBe(true);
      const later = await s.commit([{ queue: q, conversationId: C, envelope: bytes(99) }], [], 2);
      expect((await s.fetchQueue(q, 0, 100)).map((m) => m.seq)).toEqual([...seqs, ...later]);
    }));

  it('#14.5: a round is skipped while another node holds the segment lock', () =>
    withSmallSegments(10, 1, async ([s], db) => {
      if (s === undefined) throw new Error('no store');
      await sql(db, async (c) => {
        await c.query('SELECT pg_advisory_lock($1)', [SEGMENT_LOCK]);
        expect(await s.maintainSegments()).toBeUndefined();
        await c.query('SELECT pg_advisory_unlock($1)', [SEGMENT_LOCK]);
      });
      expect(await s.maintainSegments()).toBeDefined();
    }));

  it('#14.5: three nodes committing and acknowledging at once while rounds run on every node lose nothing unacknowledged and keep order and chains', () =>
    withSmallSegments(40, 3, async (stores, db) => {
      const queues = [1, 2, 3, 4, 5].map((d) => deviceQueue(A, hex(10 + d)));
      const committed = new Map<string, ChainedSeq[]>(queues.map((q) => [q, []]));
      const acked = new Map<string, number>(queues.map((q) => [q, 0]));
      await Promise.all(
        stores.map(async (s, node) => {
          for (let round = 0; round < 40; round++) {
            const batch = Array.from({ length: 6 }, (_, i) => ({
              queue: queues[(node + round + i) % queues.length] ?? '',
              conversationId: C,
              envelope: bytes(node, round, i),
            }));
            // Each node acknowledges, a little behind, what it saw committed to two of the queues.
            const acks = queues
              .filter((_, i) => (i + round) % 3 === node)
              .map((q) => ({
                queue: q,
                upTo: (committed.get(q) ?? []).slice(0, -3).reduce((m, c) => Math.max(m, c.seq), 0),
              }))
              .filter((a) => a.upTo > 0);
            const chained = await s.commitChained(batch, acks, round);
            chained.forEach((c, i) => committed.get(batch[i]?.queue ?? '')?.push(c));
            for (const a of acks) acked.set(a.queue, Math.max(acked.get(a.queue) ?? 0, a.upTo));
            if (round % 5 === node) await s.maintainSegments();
          }
        }),
      );
      const s = first(stores);
      // Rounds ran from every trigger, one node at a time; the last ones settle what is left.
      await settle(s);
      for (const queue of queues) {
        const chain = [...(committed.get(queue) ?? [])].sort((a, b) => a.seq - b.seq);
        chain.forEach((c, i) => {
          expect(c.previous).toBe(i === 0 ? 0 : chain[i - 1]?.seq);
        });
        const upTo = acked.get(queue) ?? 0;
        const fetched = await s.fetchQueue(queue, 0, 10_000);
        expect(fetched.map((m) => m.seq)).toEqual(chain.filter((c) => c.seq > upTo).map((c) => c.seq));
      }
      // 720 messages in segments of 40: most partitions were dropped, a few are left.
      const bounds = await sql(db, async (c) => partitionBounds(c));
      expect(bounds.length).toBeLessThanOrEqual(SEGMENTS_AHEAD + 3);
      const stored = [...(await rowsByPartition(db)).values()].reduce((a, b) => a + b, 0);
      expect(stored).toBeLessThan(720 / 2);
    }));

  it('#14.5: retention deletes expired rows whether acknowledged or not and counts the unacknowledged ones', () =>
    withSmallSegments(1_000, 1, async ([s], db) => {
      if (s === undefined) throw new Error('no store');
      const q = deviceQueue(A, hex(11));
      const seqs = await s.commit(
        [1, 2, 3].map((b) => ({ queue: q, conversationId: C, envelope: bytes(b) })),
        [],
        10,
      );
      await s.commit([], [{ queue: q, upTo: seqs[0] ?? 0 }], 11);
      expect((await s.purge(20, 0)).messages).toBe(2);
      expect([...(await rowsByPartition(db)).values()].reduce((a, b) => a + b, 0)).toBe(0);
    }));
});
