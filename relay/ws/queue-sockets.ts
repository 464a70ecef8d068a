/**
 * Authenticated connections per queue (issue #10 item 5). A queue stands for one device or one
 * visitor conversation (its capability), so this caps the sockets one credential may hold open
 * (SEALDESK_SOCKETS_PER_QUEUE) and gives all of them ONE token bucket
 * (SEALDESK_MESSAGES_PER_SECOND): opening more sockets no longer buys more frames per second.
 * Per node: with several nodes a credential may hold the cap on each.
 */
import type { QueueKey } from '../store/store.js';
import { TokenBucket } from '../rate-limit.js';

interface Entry {
  count: number;
  readonly bucket: TokenBucket;
}

export interface QueueSeat {
  /** The queue's shared frame budget. */
  readonly bucket: TokenBucket;
  /** Frees the seat (safe to call more than once). */
  readonly leave: () => void;
}

export class QueueSockets {
  readonly #max: number;
  readonly #rate: number;
  readonly #entries = new Map<QueueKey, Entry>();

  constructor(maxPerQueue: number, framesPerSecond: number) {
    this.#max = maxPerQueue;
    this.#rate = framesPerSecond;
  }

  /** A seat for one more connection of `queue`, or undefined when it has `maxPerQueue` already. */
  join(queue: QueueKey, now: number): QueueSeat | undefined {
    let entry = this.#entries.get(queue);
    if (entry === undefined) {
      entry = { count: 0, bucket: new TokenBucket(this.#rate, now) };
      this.#entries.set(queue, entry);
    }
    if (entry.count >= this.#max) return undefined;
    entry.count += 1;
    const seated = entry;
    let left = false;
    return {
      bucket: seated.bucket,
      leave: () => {
        if (left) return;
        left = true;
        seated.count -= 1;
        if (seated.count === 0 && this.#entries.get(queue) === seated) this.#entries.delete(queue);
      },
    };
  }

  /** Queues with at least one connection, for tests and diagnostics. */
  get queues(): number {
    return this.#entries.size;
  }
}
