/** GET /metrics reads queue statistics through QueueStatsCache (relay/queue-stats-cache.ts). */
import { describe, expect, it, vi } from 'vitest';
import { commitSeqs } from './support/commit-seqs.js';
import { QueueStatsCache } from '../../relay/queue-stats-cache.js';
import { MemoryStore } from '../../relay/store/memory-store.js';
import { deviceQueue } from '../../relay/store/store.js';

const message = {
  queue: deviceQueue('a'.repeat(32), 'd'.repeat(32)),
  conversationId: 'c'.repeat(32),
  envelope: new Uint8Array([1]),
};

describe('QueueStatsCache', () => {
  it('computes the statistics once for concurrent requests and reuses them until they are max-age old', async () => {
    const store = new MemoryStore();
    const scans = vi.spyOn(store, 'queueStats');
    let t = 1_000;
    const cache = new QueueStatsCache(store, () => t, 5_000);
    const burst = await Promise.all(Array.from({ length: 50 }, () => cache.get()));
    expect(scans).toHaveBeenCalledTimes(1);
    expect(burst.every((s) => s.pendingMessages === 0)).toBe(true);

    await commitSeqs(store, [message], [], t);
    t += 4_999;
    expect((await cache.get()).pendingMessages).toBe(0);
    expect(scans).toHaveBeenCalledTimes(1);
    t += 1;
    expect((await cache.get()).pendingMessages).toBe(1);
    expect(scans).toHaveBeenCalledTimes(2);
  });

  it('does not keep a failed computation: the next request tries again', async () => {
    const store = new MemoryStore();
    const scans = vi.spyOn(store, 'queueStats').mockRejectedValueOnce(new Error('disk I/O error'));
    const cache = new QueueStatsCache(store, () => 0);
    await expect(cache.get()).rejects.toThrow('disk I/O error');
    expect((await cache.get()).queues).toBe(0);
    expect(scans).toHaveBeenCalledTimes(2);
  });
});
