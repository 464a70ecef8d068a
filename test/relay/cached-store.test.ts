/**
 * The routing cache (relay/store/cached-store.ts): the Store contract still holds through it, and
 * no cached answer outlives a write that changes it (key replaced, device removed, conversation
 * deleted or purged), including lookups that were in flight during the write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { commitSeqs } from './support/commit-seqs.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CachedStore } from '../../relay/store/cached-store.js';
import { LruMap } from '../../relay/store/lru-map.js';
import { MemoryStore } from '../../relay/store/memory-store.js';
import { SqliteStore } from '../../relay/store/sqlite-store.js';
import { visitorQueue } from '../../relay/store/store.js';
import { storeContract } from './store-contract.js';

const hex = (n: number): string => n.toString(16).padStart(32, '0');
const A = hex(1);
const B = hex(2);
const D1 = hex(11);
const C1 = hex(21);
const key = (b: number): Uint8Array => new Uint8Array(32).fill(b);

storeContract('CachedStore over MemoryStore', () =>
  Promise.resolve({ store: new CachedStore(new MemoryStore()), cleanup: () => Promise.resolve() }),
);
storeContract('CachedStore over SqliteStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-cached-'));
  return Promise.resolve({
    store: new CachedStore(new SqliteStore(join(dir, 'relay.sqlite'))),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});

/** A real MemoryStore whose device-key reads wait for `release()` (to interleave a write). */
class GatedStore extends MemoryStore {
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  override async getDeviceKey(accountId: string, deviceId: string): Promise<Uint8Array | undefined> {
    const answer = await super.getDeviceKey(accountId, deviceId);
    await this.#gate;
    return answer;
  }
}

describe('CachedStore', () => {
  it('serves repeated lookups from memory, as copies the caller cannot corrupt', async () => {
    const s = new CachedStore(new MemoryStore());
    await s.putDevice(A, D1, key(1), 10);
    await s.createConversation({ conversationId: C1, accountId: A, capabilityHash: key(7) }, 1);
    const first = await s.getDeviceKey(A, D1);
    expect(s.cacheSizes()).toEqual({ deviceKeys: 1, conversations: 0 });
    first?.fill(0);
    expect(await s.getDeviceKey(A, D1)).toEqual(key(1));
    const conversation = await s.getConversation(C1);
    conversation?.capabilityHash.fill(0);
    expect(await s.getConversation(C1)).toEqual({ conversationId: C1, accountId: A, capabilityHash: key(7) });
    expect(s.cacheSizes()).toEqual({ deviceKeys: 1, conversations: 1 });
    // Misses are not cached: a device enrolled later is found at once.
    expect(await s.getDeviceKey(B, D1)).toBeUndefined();
    await s.putDevice(B, D1, key(2), 10);
    expect(await s.getDeviceKey(B, D1)).toEqual(key(2));
  });

  it('forgets a device key when it is replaced or the device is removed', async () => {
    const s = new CachedStore(new MemoryStore());
    await s.putDevice(A, D1, key(1), 10);
    expect(await s.getDeviceKey(A, D1)).toEqual(key(1));
    await s.putDevice(A, D1, key(2), 10);
    expect(await s.getDeviceKey(A, D1)).toEqual(key(2));
    await s.deleteDevice(A, D1);
    expect(await s.getDeviceKey(A, D1)).toBeUndefined();
  });

  it('forgets a conversation when it is deleted or purged as idle, so its id cannot route to an old account', async () => {
    const s = new CachedStore(new MemoryStore());
    await s.createConversation({ conversationId: C1, accountId: A, capabilityHash: key(1) }, 1);
    expect((await s.getConversation(C1))?.accountId).toBe(A);
    await s.deleteConversation(C1);
    expect(await s.getConversation(C1)).toBeUndefined();
    // The same id opened again under another account is seen as such.
    await s.createConversation({ conversationId: C1, accountId: B, capabilityHash: key(2) }, 2);
    expect((await s.getConversation(C1))?.accountId).toBe(B);
    const purged = await s.purge(100, 100);
    expect(purged.conversations).toBe(1);
    expect(await s.getConversation(C1)).toBeUndefined();
    expect(s.cacheSizes().conversations).toBe(0);
  });

  it('does not cache an answer read before a concurrent removal', async () => {
    const inner = new GatedStore();
    const s = new CachedStore(inner);
    await inner.putDevice(A, D1, key(1), 10);
    inner.hold();
    const lookup = s.getDeviceKey(A, D1);
    await Promise.resolve();
    await s.deleteDevice(A, D1);
    inner.release();
    // The in-flight lookup may answer with what it read, but must not leave it in the cache.
    expect(await lookup).toEqual(key(1));
    expect(s.cacheSizes().deviceKeys).toBe(0);
    expect(await s.getDeviceKey(A, D1)).toBeUndefined();
  });

  it('keeps at most its capacity, dropping the least recently used entry', async () => {
    const s = new CachedStore(new MemoryStore(), 2);
    for (const d of [1, 2, 3]) await s.putDevice(A, hex(d), key(d), 10);
    for (const d of [1, 2, 3]) await s.getDeviceKey(A, hex(d));
    expect(s.cacheSizes().deviceKeys).toBe(2);
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
  });

  it('passes message commits through unchanged', async () => {
    const s = new CachedStore(new MemoryStore());
    const [seq] = await commitSeqs(s, [{ queue: visitorQueue(C1), conversationId: C1, envelope: key(3) }], [], 1);
    expect(await s.fetchQueue(visitorQueue(C1), 0, 10)).toEqual([{ seq, envelope: key(3) }]);
  });
});
