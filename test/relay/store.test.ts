/** The shared Store contract against the in-memory and the SQLite store, plus SQLite durability. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../relay/store/memory-store.js';
import { SqliteStore, TOUCH_INTERVAL_MS } from '../../relay/store/sqlite-store.js';
import { deviceQueue, visitorQueue } from '../../relay/store/store.js';
import { storeContract } from './store-contract.js';

function tempDir(): { dir: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-store-'));
  return { dir, cleanup: () => { rmSync(dir, { recursive: true, force: true }); return Promise.resolve(); } };
}

storeContract('MemoryStore', () => Promise.resolve({ store: new MemoryStore(), cleanup: () => Promise.resolve() }));
storeContract('SqliteStore', () => {
  const { dir, cleanup } = tempDir();
  return Promise.resolve({ store: new SqliteStore(join(dir, 'relay.sqlite')), cleanup });
});

describe('SqliteStore on disk', () => {
  it('keeps everything across close and reopen, in WAL mode, and continues cursors', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'relay.sqlite');
    const A = 'a'.repeat(32);
    const D = 'd'.repeat(32);
    const first = new SqliteStore(path);
    await first.createAccount({ accountId: A, username: 'x', opaqueRecord: 'r' }, 1);
    const [seq] = await first.commit([{ queue: deviceQueue(A, D), conversationId: 'c'.repeat(32), envelope: new Uint8Array([1, 2]) }], [], 1);
    await first.close();
    const second = new SqliteStore(path);
    expect(await second.findAccountByUsername('x')).toEqual({ accountId: A, username: 'x', opaqueRecord: 'r' });
    expect(await second.fetchQueue(deviceQueue(A, D), 0, 10)).toEqual([{ seq, envelope: new Uint8Array([1, 2]) }]);
    const [next] = await second.commit([{ queue: deviceQueue(A, D), conversationId: 'c'.repeat(32), envelope: new Uint8Array([3]) }], [], 2);
    expect((next ?? 0) > (seq ?? 0)).toBe(true);
    expect(statSync(`${path}-wal`).isFile()).toBe(true);
    await second.close();
    await cleanup();
  });

  it('syncs message batches off the event loop and leaves every other transaction at synchronous=FULL', async () => {
    const { dir, cleanup } = tempDir();
    const store = new SqliteStore(join(dir, 'relay.sqlite'));
    const q = deviceQueue('a'.repeat(32), 'd'.repeat(32));
    expect(store.synchronousLevel()).toBe(2);
    const pending = store.commit([{ queue: q, conversationId: 'c'.repeat(32), envelope: new Uint8Array([1]) }], [], 1);
    // The pragma is restored as soon as the transaction has run, before the fsync completes.
    expect(store.synchronousLevel()).toBe(2);
    const [seq] = await pending;
    await store.commit([], [{ queue: q, upTo: seq ?? 0 }], 2);
    expect(store.synchronousLevel()).toBe(2);
    expect(await store.fetchQueue(q, 0, 10)).toEqual([]);
    await store.close();
    await cleanup();
  });

  it('writes last_active at most once per TOUCH_INTERVAL_MS per conversation, never staler than that', async () => {
    const { dir, cleanup } = tempDir();
    const store = new SqliteStore(join(dir, 'relay.sqlite'));
    const C = 'c'.repeat(32);
    const t0 = 1_000_000;
    await store.createConversation({ conversationId: C, accountId: 'a'.repeat(32), capabilityHash: new Uint8Array(32) }, 0);
    await store.commit([{ queue: visitorQueue(C), conversationId: C, envelope: new Uint8Array([1]) }], [], t0);
    await store.commit([{ queue: visitorQueue(C), conversationId: C, envelope: new Uint8Array([2]) }], [], t0 + TOUCH_INTERVAL_MS);
    // Touched at t0 + interval: not idle for a cutoff just before it.
    expect((await store.purge(t0 + TOUCH_INTERVAL_MS - 1, t0)).conversations).toBe(0);
    await store.commit([{ queue: visitorQueue(C), conversationId: C, envelope: new Uint8Array([3]) }], [], t0 + TOUCH_INTERVAL_MS + 1);
    // The write 1 ms later was skipped: last_active is at most TOUCH_INTERVAL_MS stale.
    expect((await store.purge(t0 + TOUCH_INTERVAL_MS + 1, t0)).conversations).toBe(1);
    await store.close();
    await cleanup();
  });
});
