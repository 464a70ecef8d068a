/**
 * The push-subscription part of the Store contract (relay/store/store.ts; PROTOCOL §16.9), run
 * against every implementation: in-memory, SQLite (also behind the CachedStore) and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CachedStore } from '../../relay/store/cached-store.js';
import { MemoryStore } from '../../relay/store/memory-store.js';
import { PgStore } from '../../relay/store/pg-store.js';
import { SqliteStore } from '../../relay/store/sqlite-store.js';
import type { PushSubscriptionRecord, Store } from '../../relay/store/store.js';
import { createTestDatabase } from './support/pg-database.js';

const hex = (n: number): string => n.toString(16).padStart(32, '0');
const A = hex(1);
const B = hex(2);
const D1 = hex(11);
const D2 = hex(12);

function subscription(n: number): PushSubscriptionRecord {
  return {
    endpoint: `https://push.example/${String(n)}`,
    p256dh: new Uint8Array(65).fill(n),
    auth: new Uint8Array(16).fill(n + 1),
  };
}

interface Opened {
  readonly store: Store;
  readonly cleanup: () => Promise<void>;
}

function sqlite(): Opened {
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-push-store-'));
  return {
    store: new SqliteStore(join(dir, 'relay.sqlite')),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

const implementations: readonly [string, () => Promise<Opened>][] = [
  ['MemoryStore', () => Promise.resolve({ store: new MemoryStore(), cleanup: () => Promise.resolve() })],
  ['SqliteStore', () => Promise.resolve(sqlite())],
  [
    'CachedStore over SqliteStore',
    () => {
      const { store, cleanup } = sqlite();
      return Promise.resolve({ store: new CachedStore(store, 100), cleanup });
    },
  ],
  [
    'PgStore',
    async () => {
      const db = await createTestDatabase();
      return { store: await PgStore.open(db.url, { poolSize: 2 }), cleanup: () => db.drop() };
    },
  ],
];

for (const [name, open] of implementations) {
  describe(`Store contract, push subscriptions: ${name}`, () => {
    const withStore = async (run: (s: Store) => Promise<void>): Promise<void> => {
      const { store, cleanup } = await open();
      try {
        await run(store);
      } finally {
        await store.close();
        await cleanup();
      }
    };

    it('keeps one subscription per device, replaced by the next, apart from other devices and accounts', () =>
      withStore(async (s) => {
        expect(await s.getPushSubscription(A, D1)).toBeUndefined();
        await s.putPushSubscription(A, D1, subscription(1), 1);
        await s.putPushSubscription(A, D2, subscription(2), 1);
        await s.putPushSubscription(B, D1, subscription(3), 1);
        expect(await s.getPushSubscription(A, D1)).toEqual(subscription(1));
        await s.putPushSubscription(A, D1, subscription(4), 2);
        expect(await s.getPushSubscription(A, D1)).toEqual(subscription(4));
        expect(await s.getPushSubscription(A, D2)).toEqual(subscription(2));
        expect(await s.getPushSubscription(B, D1)).toEqual(subscription(3));
      }));

    it('deletes a subscription, and by endpoint only while it is still that one', () =>
      withStore(async (s) => {
        await s.putPushSubscription(A, D1, subscription(1), 1);
        await s.putPushSubscription(A, D1, subscription(2), 2);
        // A 410 for the replaced endpoint leaves the new subscription alone.
        expect(await s.deletePushSubscription(A, D1, subscription(1).endpoint)).toBe(false);
        expect(await s.getPushSubscription(A, D1)).toEqual(subscription(2));
        expect(await s.deletePushSubscription(A, D1, subscription(2).endpoint)).toBe(true);
        expect(await s.getPushSubscription(A, D1)).toBeUndefined();
        await s.putPushSubscription(A, D1, subscription(3), 3);
        expect(await s.deletePushSubscription(A, D1)).toBe(true);
        expect(await s.deletePushSubscription(A, D1)).toBe(false);
      }));

    it('removes the subscription with its device', () =>
      withStore(async (s) => {
        await s.putDevice(A, D1, new Uint8Array(32).fill(7), 10);
        await s.putDevice(A, D2, new Uint8Array(32).fill(8), 10);
        await s.putPushSubscription(A, D1, subscription(1), 1);
        await s.putPushSubscription(A, D2, subscription(2), 1);
        expect(await s.deleteDevice(A, D1)).toBe(true);
        expect(await s.getPushSubscription(A, D1)).toBeUndefined();
        expect(await s.getPushSubscription(A, D2)).toEqual(subscription(2));
      }));
  });
}
