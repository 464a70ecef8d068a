/**
 * The Store contract against PostgreSQL (a database of its own per test), plus what only a store
 * shared by several nodes promises: several PgStore instances on one database stand for nodes.
 */
import pg from 'pg';
import { commitSeqs } from './support/commit-seqs.js';
import { describe, expect, it } from 'vitest';
import { PgStore } from '../../relay/store/pg-store.js';
import { StoreSetupError } from '../../relay/store/pg-errors.js';
import { PG_SCHEMA_VERSION } from '../../relay/store/pg-schema.js';
import { type ChainedSeq, deviceQueue, visitorQueue } from '../../relay/store/store.js';
import { storeContract } from './store-contract.js';
import { createTestDatabase, type TestDatabase } from './support/pg-database.js';

storeContract('PgStore', async () => {
  const db = await createTestDatabase();
  const store = await PgStore.open(db.url);
  return { store, cleanup: () => db.drop() };
});

const hex = (n: number): string => n.toString(16).padStart(32, '0');
const A = hex(1);
const C = hex(21);

/** `nodes` stores on one fresh database; all closed and the database dropped afterwards. */
async function withNodes(nodes: number, run: (stores: PgStore[], db: TestDatabase) => Promise<void>): Promise<void> {
  const db = await createTestDatabase();
  const stores: PgStore[] = [];
  try {
    for (let i = 0; i < nodes; i++) stores.push(await PgStore.open(db.url, { poolSize: 4 }));
    await run(stores, db);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await db.drop();
  }
}

describe('PgStore shared by several nodes', () => {
  it('hands each one-time prekey to exactly one of many concurrent claims on four nodes', () =>
    withNodes(4, async (stores) => {
      const [first] = stores;
      if (first === undefined) throw new Error('no store');
      const keys = Array.from({ length: 200 }, (_, i) => new Uint8Array([i >> 8, i & 255]));
      expect(await first.addOneTimePrekeys(A, hex(11), keys, 500)).toEqual({ ok: true, count: 200 });
      // 200 claims for 200 keys, 50 on each node at once: every claim must get a key (a claim
      // that waited for another's row and then found it gone would come back empty).
      const claims = await Promise.all(
        stores.flatMap((s) => Array.from({ length: 50 }, () => s.claimOneTimePrekey(A, hex(11)))),
      );
      const got = claims.map((k) => (k === undefined ? 'none' : Buffer.from(k).toString('hex')));
      expect(got.filter((k) => k === 'none')).toEqual([]);
      expect(new Set(got).size).toBe(200);
      expect(await first.claimOneTimePrekey(A, hex(11))).toBeUndefined();
    }));

  it('chains every queue: each message names its predecessor, whatever node committed it', () =>
    withNodes(3, async (stores) => {
      const queues = [deviceQueue(A, hex(11)), deviceQueue(A, hex(12)), visitorQueue(C)];
      const committed = new Map<string, ChainedSeq[]>(queues.map((q) => [q, []]));
      const sent = new Map<string, number>();
      // Three nodes commit 40 batches each at the same time, every batch to all three queues
      // in a different order, with a second message to one queue.
      await Promise.all(
        stores.map(async (s, node) => {
          for (let round = 0; round < 40; round++) {
            const order = [...queues.slice(round % 3), ...queues.slice(0, round % 3)];
            const batch = [...order, order[0] ?? ''].map((queue, i) => ({
              queue,
              conversationId: C,
              envelope: new Uint8Array([node, round, i]),
            }));
            for (const m of batch) sent.set(m.queue, (sent.get(m.queue) ?? 0) + 1);
            const chained = await s.commitChained(batch, [], round);
            chained.forEach((c, i) => committed.get(batch[i]?.queue ?? '')?.push(c));
          }
        }),
      );
      const [first] = stores;
      if (first === undefined) throw new Error('no store');
      for (const queue of queues) {
        const chain = [...(committed.get(queue) ?? [])].sort((a, b) => a.seq - b.seq);
        expect(chain).toHaveLength(sent.get(queue) ?? -1);
        // In cursor order each message's predecessor is the message just before it.
        chain.forEach((c, i) => {
          expect(c.previous).toBe(i === 0 ? 0 : chain[i - 1]?.seq);
        });
        expect((await first.fetchQueue(queue, 0, 1000)).map((m) => m.seq)).toEqual(chain.map((c) => c.seq));
      }
    }));

  it('§16.2: the same envelope sent to one queue through several nodes at once is stored once, chain intact', () =>
    withNodes(3, async (stores) => {
      const queue = deviceQueue(A, hex(11));
      const other = visitorQueue(C);
      // Every node commits the same 20 envelopes (as a client's resends after lost `stored`
      // frames, each through another node), each batch with a fresh message to another queue.
      const results = await Promise.all(
        stores.map(async (s, node) => {
          const out: ChainedSeq[] = [];
          for (let round = 0; round < 20; round++) {
            const batch = [
              { queue, conversationId: C, envelope: new Uint8Array([round]) },
              { queue: other, conversationId: C, envelope: new Uint8Array([node, round]) },
            ];
            const [same, fresh] = await s.commitChained(batch, [], round);
            if (same === undefined || fresh?.resent !== false)
              throw new Error('a fresh message was taken for a resend');
            out.push(same);
          }
          return out;
        }),
      );
      const [first] = stores;
      if (first === undefined) throw new Error('no store');
      for (let round = 0; round < 20; round++) {
        const answers = results.map((r) => r[round]);
        // One node stored it; the others answered its cursor as a resend.
        expect(answers.filter((a) => a?.resent === false)).toHaveLength(1);
        expect(new Set(answers.map((a) => a?.seq)).size).toBe(1);
      }
      const stored = await first.fetchQueue(queue, 0, 1000);
      expect(stored.map((m) => m.envelope[0])).toEqual(Array.from({ length: 20 }, (_, i) => i));
      const chain = results
        .flat()
        .filter((c) => !c.resent)
        .sort((a, b) => a.seq - b.seq);
      chain.forEach((c, i) => {
        expect(c.previous).toBe(i === 0 ? 0 : chain[i - 1]?.seq);
      });
      expect((await first.fetchQueue(other, 0, 1000)).length).toBe(60);
    }));

  it('tells heads and whether the owner of a queue still exists', () =>
    withNodes(1, async ([s]) => {
      if (s === undefined) throw new Error('no store');
      await s.putDevice(A, hex(11), new Uint8Array(32), 5);
      await s.createConversation({ conversationId: C, accountId: A, capabilityHash: new Uint8Array(32) }, 1);
      const [seq] = await commitSeqs(
        s,
        [{ queue: deviceQueue(A, hex(11)), conversationId: C, envelope: new Uint8Array(1) }],
        [],
        1,
      );
      const unknown = deviceQueue(A, hex(13));
      let heads = await s.queueHeads([deviceQueue(A, hex(11)), visitorQueue(C), unknown]);
      expect(heads.get(deviceQueue(A, hex(11)))).toEqual({ head: seq, live: true });
      expect(heads.get(visitorQueue(C))).toEqual({ head: 0, live: true });
      expect(heads.get(unknown)).toEqual({ head: 0, live: false });
      await s.deleteDevice(A, hex(11));
      await s.deleteConversation(C);
      heads = await s.queueHeads([deviceQueue(A, hex(11)), visitorQueue(C)]);
      expect(heads.get(deviceQueue(A, hex(11)))?.live).toBe(false);
      expect(heads.get(visitorQueue(C))?.live).toBe(false);
    }));

  it('takes a single-use entry once, on any node, and not after it expired', () =>
    withNodes(2, async ([a, b]) => {
      if (a === undefined || b === undefined) throw new Error('no store');
      await a.putSingleUse('login', 'x', new Uint8Array([1, 2]), 100);
      await a.putSingleUse('login', 'old', new Uint8Array([3]), 100);
      expect(await b.takeSingleUse('challenge', 'x', 50)).toBeUndefined();
      expect(await b.takeSingleUse('login', 'x', 50)).toEqual(new Uint8Array([1, 2]));
      expect(await a.takeSingleUse('login', 'x', 50)).toBeUndefined();
      expect(await a.takeSingleUse('login', 'old', 100)).toBeUndefined();
    }));

  it('records the OPAQUE setup fingerprint once and tells a node with another setup', () =>
    withNodes(2, async ([a, b]) => {
      if (a === undefined || b === undefined) throw new Error('no store');
      expect(await a.claimSetupFingerprint('f1')).toBe(true);
      expect(await b.claimSetupFingerprint('f1')).toBe(true);
      expect(await b.claimSetupFingerprint('f2')).toBe(false);
    }));
});

describe('PgStore migrations', () => {
  it('migrates once, opens a migrated database again, and refuses a schema that needs a newer relay', async () => {
    const db = await createTestDatabase();
    try {
      const first = await PgStore.open(db.url);
      await first.createAccount({ accountId: A, username: 'u', opaqueRecord: 'r' }, 1);
      await first.close();
      const again = await PgStore.open(db.url);
      expect(await again.accountExists(A)).toBe(true);
      await again.close();
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const row = (await client.query<{ version: number }>('SELECT version FROM sealdesk_schema')).rows[0];
        expect(row?.version).toBe(PG_SCHEMA_VERSION);
        await client.query('UPDATE sealdesk_schema SET version = $1, oldest_compatible = $1', [PG_SCHEMA_VERSION + 1]);
      } finally {
        await client.end();
      }
      await expect(PgStore.open(db.url)).rejects.toBeInstanceOf(StoreSetupError);
    } finally {
      await db.drop();
    }
  });

  it('refuses to start, with a typed error, when the server cannot be reached', async () => {
    await expect(PgStore.open('postgres://postgres@127.0.0.1:1/none')).rejects.toBeInstanceOf(StoreSetupError);
  });
});
