/** The shared Store contract against the in-memory and the SQLite store, plus SQLite durability. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { commitSeqs } from './support/commit-seqs.js';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../relay/store/memory-store.js';
import { PURGE_CHUNK_ROWS, SqliteStore, TOUCH_INTERVAL_MS } from '../../relay/store/sqlite-store.js';
import { deviceQueue, visitorQueue } from '../../relay/store/store.js';
import { COMMON_SCHEMA } from '../../relay/store/sqlite-schema.js';
import { storeContract } from './store-contract.js';

/** The version 1 message table (AUTOINCREMENT, three indexes), as relays before schema 2 made it. */
const V1_MESSAGES = `
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, conversation_id TEXT NOT NULL,
  envelope BLOB NOT NULL, created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_queue ON messages (queue, seq);
CREATE INDEX messages_conversation ON messages (conversation_id);
CREATE INDEX messages_created ON messages (created_at);
CREATE TABLE accounts (account_id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, opaque_record TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
PRAGMA user_version = 1;
`;

/** The version 2 message tables (queue key as text, store-assigned seq), as relays before schema 3 made them. */
const V2_MESSAGES = `
CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 0), next_seq INTEGER NOT NULL) STRICT;
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, conversation_id BLOB NOT NULL,
  queue TEXT NOT NULL, envelope BLOB NOT NULL
) STRICT;
CREATE INDEX messages_queue ON messages (queue, seq);
PRAGMA user_version = 2;
`;

/** Reads the queue table of a closed store's database. */
function queueRows(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT name FROM queues ORDER BY queue_id').all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

/** The schema version and the message table's indexes of a closed store's database. */
function schemaOf(path: string): { version: unknown; indexes: unknown } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }),
      indexes: db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'messages'").all(),
    };
  } finally {
    db.close();
  }
}

function tempDir(): { dir: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-store-'));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

storeContract('MemoryStore', () => Promise.resolve({ store: new MemoryStore(), cleanup: () => Promise.resolve() }));
storeContract('SqliteStore', () => {
  const { dir, cleanup } = tempDir();
  return Promise.resolve({ store: new SqliteStore(join(dir, 'relay.sqlite')), cleanup });
});

/** Ids of the migration tests: account A (username 'x'), its device queue, conversations C1 and C2. */
const MIGRATED = {
  A: 'a'.repeat(32),
  C1: '1'.repeat(32),
  C2: '2'.repeat(32),
  q: deviceQueue('a'.repeat(32), 'd'.repeat(32)),
};

/**
 * A database file as an older relay left it: `schema` executed in WAL mode, account A inserted,
 * then `fill` (the old message rows), closed.
 */
function legacyDatabase(
  schema: string,
  fill: (db: Database.Database) => void,
): { path: string; cleanup: () => Promise<void> } {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'relay.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(schema);
  db.prepare('INSERT INTO accounts VALUES (?, ?, ?, ?)').run(MIGRATED.A, 'x', 'r', 1);
  fill(db);
  db.close();
  return { path, cleanup };
}

describe('SqliteStore on disk', () => {
  it('keeps everything across close and reopen, in WAL mode, and continues cursors', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'relay.sqlite');
    const A = 'a'.repeat(32);
    const D = 'd'.repeat(32);
    const first = new SqliteStore(path);
    await first.createAccount({ accountId: A, username: 'x', opaqueRecord: 'r' }, 1);
    const [seq] = await commitSeqs(
      first,
      [{ queue: deviceQueue(A, D), conversationId: 'c'.repeat(32), envelope: new Uint8Array([1, 2]) }],
      [],
      1,
    );
    await first.close();
    const second = new SqliteStore(path);
    expect(await second.findAccountByUsername('x')).toEqual({ accountId: A, username: 'x', opaqueRecord: 'r' });
    expect(await second.fetchQueue(deviceQueue(A, D), 0, 10)).toEqual([{ seq, envelope: new Uint8Array([1, 2]) }]);
    const [next] = await commitSeqs(
      second,
      [{ queue: deviceQueue(A, D), conversationId: 'c'.repeat(32), envelope: new Uint8Array([3]) }],
      [],
      2,
    );
    expect((next ?? 0) > (seq ?? 0)).toBe(true);
    expect(statSync(`${path}-wal`).isFile()).toBe(true);
    await second.close();
    await cleanup();
  });

  it('§16.2: knows a send across a restart, also after its ack, and answers a resend with its first cursor', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'relay.sqlite');
    const q = deviceQueue('a'.repeat(32), 'd'.repeat(32));
    const message = { queue: q, conversationId: 'c'.repeat(32), envelope: new Uint8Array([4, 5, 6]) };
    const first = new SqliteStore(path);
    const [seq] = await commitSeqs(first, [message], [], 1);
    await first.commit([], [{ queue: q, upTo: seq ?? 0 }], 2);
    // Killed, not closed: the WAL holds the send, as after a SIGKILL right after the commit.
    const second = new SqliteStore(path);
    expect(await second.commit([message], [], 3)).toEqual([{ seq, resent: true }]);
    expect(await second.fetchQueue(q, 0, 10)).toEqual([]);
    await second.close();
    await first.close();
    await cleanup();
  });

  it('runs at synchronous=NORMAL and fsyncs the WAL before every durable write resolves, ack-only batches excepted', async () => {
    const { dir, cleanup } = tempDir();
    const store = new SqliteStore(join(dir, 'relay.sqlite'));
    const A = 'a'.repeat(32);
    const D = 'd'.repeat(32);
    const C = 'c'.repeat(32);
    const q = deviceQueue(A, D);
    expect(store.synchronousLevel()).toBe(1);
    // Each write: no fsync has completed when the call returns, exactly one when it resolves.
    const durable = async (write: () => Promise<unknown>): Promise<void> => {
      const before = store.walSyncs();
      const pending = write();
      expect(store.walSyncs()).toBe(before);
      await pending;
      expect(store.walSyncs()).toBe(before + 1);
    };
    let seq = 0;
    await durable(async () => {
      [seq = 0] = await commitSeqs(store, [{ queue: q, conversationId: C, envelope: new Uint8Array([1]) }], [], 1);
    });
    await durable(() => store.createAccount({ accountId: A, username: 'x', opaqueRecord: 'r' }, 1));
    await durable(() => store.createSession(new Uint8Array([1]), { accountId: A, deviceId: null, expiresAt: 10 }));
    await durable(() => store.putDevice(A, D, new Uint8Array(32), 5));
    await durable(() => store.appendDeviceList(A, 1, new Uint8Array([1]), 1));
    await durable(() => store.putBundle(A, D, new Uint8Array([1]), 1));
    await durable(() => store.addOneTimePrekeys(A, D, [new Uint8Array([1])], 5));
    await durable(() => store.claimOneTimePrekey(A, D));
    await durable(() => store.putWidgetConfig(A, new Uint8Array([1]), 1));
    await durable(() =>
      store.createConversation({ conversationId: C, accountId: A, capabilityHash: new Uint8Array(32) }, 1),
    );
    await durable(() =>
      store.putAttachment({ attachmentId: 'e'.repeat(32), conversationId: C, blob: new Uint8Array([1]) }, 10, 1),
    );
    await durable(() => store.deleteConversation(C));
    await durable(() => store.deleteDevice(A, D));
    await durable(() => store.purge(0, 20));
    // Ack-only batches and reads do not sync.
    const before = store.walSyncs();
    await commitSeqs(store, [], [{ queue: q, upTo: seq }], 2);
    await store.fetchQueue(q, 0, 10);
    await store.findSession(new Uint8Array([1]), 0);
    expect(store.walSyncs()).toBe(before);
    expect(store.synchronousLevel()).toBe(1);
    await store.close();
    await cleanup();
  });

  it('never reuses a cursor across a restart after every message was acknowledged', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'relay.sqlite');
    const q = deviceQueue('a'.repeat(32), 'd'.repeat(32));
    const first = new SqliteStore(path);
    const seqs = await commitSeqs(
      first,
      [1, 2, 3].map((n) => ({ queue: q, conversationId: 'c'.repeat(32), envelope: new Uint8Array([n]) })),
      [],
      1,
    );
    await commitSeqs(first, [], [{ queue: q, upTo: seqs[2] ?? 0 }], 2);
    expect(await first.queueStats()).toEqual({ pendingMessages: 0, queues: 0, deepestQueue: 0 });
    await first.close();
    const second = new SqliteStore(path);
    const [next] = await commitSeqs(
      second,
      [{ queue: q, conversationId: 'c'.repeat(32), envelope: new Uint8Array([4]) }],
      [],
      3,
    );
    expect(next).toBe((seqs[2] ?? 0) + 1);
    await second.close();
    await cleanup();
  });

  it('keeps created_at non-decreasing in seq when the clock steps back, so purge never drops a newer message early', async () => {
    const { dir, cleanup } = tempDir();
    const store = new SqliteStore(join(dir, 'relay.sqlite'));
    const q = deviceQueue('a'.repeat(32), 'd'.repeat(32));
    const C = 'c'.repeat(32);
    const times = [10, 20, 30, 25, 40, 35, 50];
    for (const [i, t] of times.entries())
      await commitSeqs(store, [{ queue: q, conversationId: C, envelope: new Uint8Array([i]) }], [], t);
    // Stored as 10, 20, 30, 30, 40, 40, 50: a cutoff of 31 purges the first four.
    expect((await store.purge(31, 0)).messages).toBe(4);
    expect((await store.fetchQueue(q, 0, 10)).map((m) => m.envelope[0])).toEqual([4, 5, 6]);
    expect((await store.purge(41, 0)).messages).toBe(2);
    expect((await store.purge(41, 0)).messages).toBe(0);
    expect((await store.purge(51, 0)).messages).toBe(1);
    await store.close();
    await cleanup();
  });

  it('purges a large expired backlog in chunks of PURGE_CHUNK_ROWS, letting other work run between them', async () => {
    const { dir, cleanup } = tempDir();
    const store = new SqliteStore(join(dir, 'relay.sqlite'));
    const q = deviceQueue('a'.repeat(32), 'd'.repeat(32));
    const total = PURGE_CHUNK_ROWS * 2 + 500;
    const batch = Array.from({ length: total }, (_, i) => ({
      queue: q,
      conversationId: 'c'.repeat(32),
      envelope: new Uint8Array([i >> 8, i & 0xff]),
    }));
    await commitSeqs(store, batch, [], 10);
    const purging = store.purge(11, 0);
    await new Promise((resolve) => setImmediate(resolve));
    // Part of it is gone, part not yet: the purge yielded to the event loop in between.
    const midway = (await store.fetchQueue(q, 0, total)).length;
    expect(midway).toBeGreaterThan(0);
    expect(midway).toBeLessThan(total - PURGE_CHUNK_ROWS + 1);
    expect((await purging).messages).toBe(total);
    expect(await store.fetchQueue(q, 0, total)).toEqual([]);
    await store.close();
    await cleanup();
  });

  it('writes last_active at most once per TOUCH_INTERVAL_MS per conversation, never staler than that', async () => {
    const { dir, cleanup } = tempDir();
    const store = new SqliteStore(join(dir, 'relay.sqlite'));
    const C = 'c'.repeat(32);
    const t0 = 1_000_000;
    await store.createConversation(
      { conversationId: C, accountId: 'a'.repeat(32), capabilityHash: new Uint8Array(32) },
      0,
    );
    await commitSeqs(store, [{ queue: visitorQueue(C), conversationId: C, envelope: new Uint8Array([1]) }], [], t0);
    await commitSeqs(
      store,
      [{ queue: visitorQueue(C), conversationId: C, envelope: new Uint8Array([2]) }],
      [],
      t0 + TOUCH_INTERVAL_MS,
    );
    // Touched at t0 + interval: not idle for a cutoff just before it.
    expect((await store.purge(t0 + TOUCH_INTERVAL_MS - 1, t0)).conversations).toBe(0);
    await commitSeqs(
      store,
      [{ queue: visitorQueue(C), conversationId: C, envelope: new Uint8Array([3]) }],
      [],
      t0 + TOUCH_INTERVAL_MS + 1,
    );
    // The write 1 ms later was skipped: last_active is at most TOUCH_INTERVAL_MS stale.
    expect((await store.purge(t0 + TOUCH_INTERVAL_MS + 1, t0)).conversations).toBe(1);
    // Its last message is not expired, but goes with the conversation.
    expect(await store.fetchQueue(visitorQueue(C), 0, 10)).toEqual([]);
    await store.close();
    await cleanup();
  });

  it('migrates a version 1 database in place: pending messages keep their cursors, none is reused', async () => {
    const { A, C1, C2, q } = MIGRATED;
    const { path, cleanup } = legacyDatabase(V1_MESSAGES, (v1) => {
      const insert = v1.prepare(
        'INSERT INTO messages (queue, conversation_id, envelope, created_at) VALUES (?, ?, ?, ?)',
      );
      // Created 10, 50, 40, 60 (a clock step back); seq 5 is acknowledged, so AUTOINCREMENT is ahead of max(seq).
      for (const [i, t] of [10, 50, 40, 60, 70].entries())
        insert.run(i % 2 === 0 ? q : visitorQueue(C2), i === 1 ? C2 : C1, Buffer.from([i]), t);
      v1.prepare('DELETE FROM messages WHERE seq = 5').run();
    });

    const store = new SqliteStore(path);
    expect(await store.findAccountByUsername('x')).toEqual({ accountId: A, username: 'x', opaqueRecord: 'r' });
    expect(await store.fetchQueue(q, 0, 10)).toEqual([
      { seq: 1, envelope: new Uint8Array([0]) },
      { seq: 3, envelope: new Uint8Array([2]) },
    ]);
    expect((await store.fetchQueue(visitorQueue(C2), 0, 10)).map((m) => m.seq)).toEqual([2, 4]);
    const [next] = await commitSeqs(store, [{ queue: q, conversationId: C1, envelope: new Uint8Array([9]) }], [], 80);
    expect(next).toBe(6);
    // created_at became the running maximum (10, 50, 50, 60): a cutoff of 45 takes only seq 1.
    expect((await store.purge(45, 0)).messages).toBe(1);
    // Migrated rows are found by conversation in every queue: seq 2 (C2) in the visitor queue of C2.
    await store.deleteConversation(C2);
    expect((await store.fetchQueue(visitorQueue(C2), 0, 10)).map((m) => m.seq)).toEqual([4]);
    await store.close();

    // Through versions 2 and 3 to 4 in the same transaction: one row per queue that had messages.
    expect(schemaOf(path)).toEqual({ version: 4, indexes: [{ name: 'messages_queue' }] });
    expect(queueRows(path).sort()).toEqual([q, visitorQueue(C2)].sort());
    await cleanup();
  });

  it('migrates a version 2 database in place: queue keys become ids, cursors and the high-water mark stay', async () => {
    const { A, C1, C2, q } = MIGRATED;
    const { path, cleanup } = legacyDatabase(COMMON_SCHEMA + V2_MESSAGES, (v2) => {
      // Cursors 3, 5, 7 pending; 8 and 9 were handed out and acknowledged, so next_seq is 10.
      v2.prepare('INSERT INTO meta (id, next_seq) VALUES (0, 10)').run();
      const insert = v2.prepare(
        'INSERT INTO messages (seq, created_at, conversation_id, queue, envelope) VALUES (?, ?, ?, ?, ?)',
      );
      insert.run(3, 10, Buffer.from(C1, 'hex'), q, Buffer.from([3]));
      insert.run(5, 20, Buffer.from(C2, 'hex'), visitorQueue(C2), Buffer.from([5]));
      insert.run(7, 30, Buffer.from(C2, 'hex'), q, Buffer.from([7]));
    });

    const store = new SqliteStore(path);
    expect(await store.findAccountByUsername('x')).toEqual({ accountId: A, username: 'x', opaqueRecord: 'r' });
    expect(await store.fetchQueue(q, 0, 10)).toEqual([
      { seq: 3, envelope: new Uint8Array([3]) },
      { seq: 7, envelope: new Uint8Array([7]) },
    ]);
    expect(await store.fetchQueue(q, 3, 10)).toEqual([{ seq: 7, envelope: new Uint8Array([7]) }]);
    expect(await store.fetchQueue(visitorQueue(C2), 0, 10)).toEqual([{ seq: 5, envelope: new Uint8Array([5]) }]);
    expect(await store.queueStats()).toEqual({ pendingMessages: 3, queues: 2, deepestQueue: 2 });
    // §16.2: the queued messages' sends are known after the migration: a resend is not stored again.
    expect(await store.commit([{ queue: q, conversationId: C2, envelope: new Uint8Array([7]) }], [], 35)).toEqual([
      { seq: 7, resent: true },
    ]);
    const [next] = await commitSeqs(
      store,
      [{ queue: q, conversationId: C1, envelope: new Uint8Array([10]) }],
      [{ queue: q, upTo: 3 }],
      40,
    );
    expect(next).toBe(10);
    expect((await store.fetchQueue(q, 0, 10)).map((m) => m.seq)).toEqual([7, 10]);
    // created_at kept: a cutoff of 25 takes seq 5 only (seq 3 was acknowledged).
    expect((await store.purge(25, 0)).messages).toBe(1);
    // Migrated rows are still found by conversation: seq 7 (C2) in the device queue.
    await store.deleteConversation(C2);
    expect((await store.fetchQueue(q, 0, 10)).map((m) => m.seq)).toEqual([10]);
    await store.close();
    expect(schemaOf(path)).toEqual({ version: 4, indexes: [{ name: 'messages_queue' }] });
    expect(queueRows(path)).toEqual([q]);
    await cleanup();
  });

  it('deletes queue rows with their device, their conversation and, once empty, in the retention purge', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'relay.sqlite');
    const A = 'a'.repeat(32);
    const C = 'c'.repeat(32);
    const dq = (n: number): string => deviceQueue(A, n.toString(16).padStart(32, '0'));
    const message = (queue: string, n: number): { queue: string; conversationId: string; envelope: Uint8Array } => ({
      queue,
      conversationId: C,
      envelope: new Uint8Array([n]),
    });
    let store = new SqliteStore(path);
    await store.createConversation({ conversationId: C, accountId: A, capabilityHash: new Uint8Array(32) }, 0);
    await commitSeqs(store, [message(dq(1), 1), message(visitorQueue(C), 3), message(dq(2), 2)], [], 1);
    // Device 2's queue has the largest id: once its row is gone, SQLite hands that id out again.
    await store.deleteDevice(A, (2).toString(16).padStart(32, '0'));
    await commitSeqs(store, [message(dq(3), 4)], [], 2);
    // A stale cached id of device 2's queue would now read device 3's message.
    expect(await store.fetchQueue(dq(2), 0, 10)).toEqual([]);
    expect((await store.fetchQueue(dq(3), 0, 10)).map((m) => m.envelope[0])).toEqual([4]);
    await store.close();
    expect(queueRows(path)).toEqual([dq(1), visitorQueue(C), dq(3)]);

    store = new SqliteStore(path);
    await store.deleteConversation(C);
    // Device queues lost the conversation's messages but keep their rows until the purge.
    expect(await store.fetchQueue(dq(1), 0, 10)).toEqual([]);
    const [seq] = await commitSeqs(store, [message(dq(1), 5)], [], 3);
    await store.purge(0, 0);
    await store.close();
    expect(queueRows(path)).toEqual([dq(1)]);

    store = new SqliteStore(path);
    await commitSeqs(store, [], [{ queue: dq(1), upTo: seq ?? 0 }], 4);
    await store.purge(0, 0);
    // Used again after its row was swept: a new row, and nothing of the old queue comes back.
    const [again] = await commitSeqs(store, [message(dq(1), 6)], [], 5);
    expect(await store.fetchQueue(dq(1), 0, 10)).toEqual([{ seq: again, envelope: new Uint8Array([6]) }]);
    await store.close();
    expect(queueRows(path)).toEqual([dq(1)]);
    await cleanup();
  });

  it('does not keep a queue id from a commit that rolled back', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'relay.sqlite');
    const C = 'c'.repeat(32);
    const message = (queue: string, n: number): { queue: string; conversationId: string; envelope: Uint8Array } => ({
      queue,
      conversationId: C,
      envelope: new Uint8Array([n]),
    });
    const store = new SqliteStore(path);
    const [first] = await commitSeqs(store, [message(visitorQueue(C), 1)], [], 1);
    // Another connection takes the cursor the next batch's second message would get.
    const other = new Database(path);
    other.pragma('busy_timeout = 5000');
    other
      .prepare('INSERT INTO messages (seq, created_at, conversation_id, queue_id, envelope) VALUES (?, 1, ?, 999, ?)')
      .run((first ?? 0) + 2, Buffer.alloc(16), Buffer.from([0]));
    const fresh = deviceQueue('a'.repeat(32), 'd'.repeat(32));
    await expect(commitSeqs(store, [message(fresh, 2), message(visitorQueue(C), 3)], [], 2)).rejects.toThrow(/UNIQUE/);
    other.prepare('DELETE FROM messages WHERE queue_id = 999').run();
    other.close();
    // The rolled-back row's id goes to the next new queue; the failed queue must not see it.
    const other2 = deviceQueue('b'.repeat(32), 'd'.repeat(32));
    const [seq] = await commitSeqs(store, [message(other2, 4)], [], 3);
    expect(await store.fetchQueue(fresh, 0, 10)).toEqual([]);
    expect(await store.fetchQueue(other2, 0, 10)).toEqual([{ seq, envelope: new Uint8Array([4]) }]);
    await store.close();
    expect(queueRows(path)).toEqual([visitorQueue(C), other2]);
    await cleanup();
  });

  it('checkpoints in a worker thread: sustained commits keep the WAL bounded, and a reopen sees every message', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'relay.sqlite');
    const options = { checkpointer: { passiveBytes: 64 * 1024, restartBytes: 512 * 1024, pollMs: 5 } };
    const store = new SqliteStore(path, options);
    expect(store.checkpointStats().autocheckpointPages).toBe(0);
    const envelope = (n: number): Uint8Array => {
      const e = new Uint8Array(2048);
      new DataView(e.buffer).setUint32(0, n);
      return e;
    };
    let largest = 0;
    const batches = 400;
    for (let b = 0; b < batches; b += 1) {
      // 20 KiB of envelopes per batch, 8 MiB in all, to 40 queues; nothing is acknowledged.
      await commitSeqs(
        store,
        Array.from({ length: 10 }, (_, i) => ({
          queue: visitorQueue(((b * 10 + i) % 40).toString(16).padStart(32, '0')),
          conversationId: ((b * 10 + i) % 40).toString(16).padStart(32, '0'),
          envelope: envelope(b * 10 + i),
        })),
        [],
        b,
      );
      largest = Math.max(largest, statSync(`${path}-wal`).size);
      // Every 200 KiB of envelopes (about twice that in pages: the rows, their indexes and the
      // resend records of §16.2), let the worker get a turn (the test machine may be busy with
      // other files): wait until it has reported a checkpoint since the last pause.
      if (b % 10 === 9) {
        const before = store.checkpointStats().checkpoints;
        for (let i = 0; i < 400 && store.checkpointStats().checkpoints === before; i += 1) await delay(5);
      }
    }
    const stats = store.checkpointStats();
    expect(stats.checkpoints).toBeGreaterThan(0);
    expect(stats.workerFailed).toBe(false);
    // Without checkpoints the WAL would hold all 8 MiB (and more: index pages); with them, about
    // restartBytes plus what is committed between two checkpoints.
    expect(largest).toBeLessThan(2 * 1024 * 1024);
    await store.close();
    // close() truncates the WAL after its final checkpoint.
    expect(statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
    const reopened = new SqliteStore(path);
    expect(await reopened.queueStats()).toEqual({
      pendingMessages: batches * 10,
      queues: 40,
      deepestQueue: (batches * 10) / 40,
    });
    await reopened.close();
    await cleanup();
  });

  it('reports a failed checkpoint worker and falls back to checkpointing on its own connection', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'relay.sqlite');
    const failures: Error[] = [];
    let report: (() => void) | undefined;
    const reported = new Promise<void>((resolve) => {
      report = resolve;
    });
    const store = new SqliteStore(path, {
      checkpointer: { source: 'throw new Error("checkpoint worker boom");' },
      onCheckpointerFailure: (error) => {
        failures.push(error);
        report?.();
      },
    });
    await reported;
    expect(failures.map((e) => e.message)).toEqual(['checkpoint worker boom']);
    expect(store.checkpointStats()).toMatchObject({ workerFailed: true, autocheckpointPages: 1000 });
    const q = visitorQueue('c'.repeat(32));
    const [seq] = await commitSeqs(
      store,
      [{ queue: q, conversationId: 'c'.repeat(32), envelope: new Uint8Array([1]) }],
      [],
      1,
    );
    expect(await store.fetchQueue(q, 0, 10)).toEqual([{ seq, envelope: new Uint8Array([1]) }]);
    await store.close();
    expect(failures).toHaveLength(1);
    await cleanup();
  });
});
