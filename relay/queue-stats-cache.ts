/**
 * The store's queue statistics for GET /metrics, computed at most once per QUEUE_STATS_MAX_AGE_MS.
 * /metrics needs no authentication and the statistics read the whole queue index (O(pending
 * envelopes), relay/store/sqlite-store.ts), so without this bound every request could hold the
 * event loop for as long as that takes. Concurrent requests share one computation.
 */
import type { QueueStats } from './metrics.js';
import type { Store } from './store/store.js';

export const QUEUE_STATS_MAX_AGE_MS = 2_000;

export class QueueStatsCache {
  readonly #store: Pick<Store, 'queueStats'>;
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  #value: QueueStats | undefined;
  #at = 0;
  #computing: Promise<QueueStats> | undefined;

  constructor(store: Pick<Store, 'queueStats'>, now: () => number, maxAgeMs = QUEUE_STATS_MAX_AGE_MS) {
    this.#store = store;
    this.#now = now;
    this.#maxAgeMs = maxAgeMs;
  }

  get(): Promise<QueueStats> {
    if (this.#value !== undefined && this.#now() - this.#at < this.#maxAgeMs) return Promise.resolve(this.#value);
    this.#computing ??= this.#store.queueStats().then(
      (value) => {
        this.#value = value;
        this.#at = this.#now();
        this.#computing = undefined;
        return value;
      },
      (error: unknown) => {
        this.#computing = undefined;
        throw error;
      },
    );
    return this.#computing;
  }
}
