/**
 * Store-and-forward core, with group commit. Frames are collected and committed in ONE store
 * transaction (appends + acks); only after that commit is durable does the sender get its
 * `stored` frame and do online receivers get `deliver` frames. At most one commit is in flight:
 * frames that arrive while it waits for the disk are collected and committed together as the
 * next batch as soon as it finishes. Commits are therefore serialised, so receivers see cursors
 * in increasing order. Delivery is at-least-once: a receiver may get a message again after a
 * reconnect and dedupes by cursor. */
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Ack, NewMessage, QueueKey, Store, StoredMessage } from '../store/store.js';
import { deviceQueue, visitorQueue } from '../store/store.js';

/** What the hub needs from a connection. */
export interface Subscriber {
  /** A committed message for the subscriber's queue, in cursor order. */
  push(message: StoredMessage): void;
  /** The envelope of send `requestId` is committed under `cursor`. */
  stored(requestId: number, cursor: number): void;
  /** The commit failed; the sender should resend. */
  storeFailed(requestId: number): void;
  /** Close because the queue no longer exists (device removed, conversation deleted). */
  close(code: number, reason: string): void;
  /** Hold writes until the matching uncork, so that one batch's frames leave in one write. */
  cork(): void;
  uncork(): void;
}

interface PendingSend {
  readonly from: Subscriber;
  readonly requestId: number;
  readonly message: NewMessage;
}

export const CLOSE_GONE = 4410;
const NONE: readonly Subscriber[] = [];

export class Hub {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #now: () => number;
  /** Usually one connection per queue: stored bare, a Set only for several (idle memory). */
  readonly #subscribers = new Map<QueueKey, Subscriber | Set<Subscriber>>();
  #sends: PendingSend[] = [];
  #acks = new Map<QueueKey, number>();
  #scheduled = false;
  #committing = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(store: Store, log: Logger, metrics: Metrics, now: () => number) {
    this.#store = store;
    this.#log = log;
    this.#metrics = metrics;
    this.#now = now;
  }

  subscribe(queue: QueueKey, s: Subscriber): void {
    const current = this.#subscribers.get(queue);
    if (current === undefined || current === s) this.#subscribers.set(queue, s);
    else if (current instanceof Set) current.add(s);
    else this.#subscribers.set(queue, new Set([current, s]));
  }

  unsubscribe(queue: QueueKey, s: Subscriber): void {
    const current = this.#subscribers.get(queue);
    if (current === s) {
      this.#subscribers.delete(queue);
    } else if (current instanceof Set) {
      current.delete(s);
      const [only, ...rest] = current;
      if (only !== undefined && rest.length === 0) this.#subscribers.set(queue, only);
    }
  }

  /** The connections subscribed to `queue`, as a list (empty when none). */
  #subscribersOf(queue: QueueKey): readonly Subscriber[] {
    const current = this.#subscribers.get(queue);
    if (current === undefined) return NONE;
    return current instanceof Set ? [...current] : [current];
  }

  /** Queues an envelope for the next commit. */
  send(from: Subscriber, requestId: number, message: NewMessage): void {
    this.#sends.push({ from, requestId, message });
    this.#schedule();
  }

  /** Queues an acknowledgement for the next commit (the highest cursor per queue wins). */
  ack(queue: QueueKey, upTo: number): void {
    this.#acks.set(queue, Math.max(upTo, this.#acks.get(queue) ?? 0));
    this.#schedule();
  }

  /** Resolves when everything queued so far is committed (used at shutdown). */
  async drain(): Promise<void> {
    while (this.#committing || this.#scheduled || this.#sends.length > 0 || this.#acks.size > 0) {
      this.#flushNow();
      await this.#chain;
    }
    await this.#chain;
  }

  disconnectDevice(accountId: string, deviceId: string): void {
    this.#closeQueue(deviceQueue(accountId, deviceId), 'device removed');
  }

  disconnectConversation(conversationId: string): void {
    this.#closeQueue(visitorQueue(conversationId), 'conversation deleted');
  }

  #closeQueue(queue: QueueKey, reason: string): void {
    for (const s of this.#subscribersOf(queue)) s.close(CLOSE_GONE, reason);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate runs after the I/O callbacks of this loop iteration: every frame read in this
    // tick is in the batch.
    setImmediate(() => {
      this.#flushNow();
    });
  }

  #flushNow(): void {
    // While a commit is in flight the batch keeps growing; that commit's end flushes it.
    if (!this.#scheduled || this.#committing) return;
    this.#scheduled = false;
    const sends = this.#sends;
    const acks: Ack[] = [...this.#acks].map(([queue, upTo]) => ({ queue, upTo }));
    this.#sends = [];
    this.#acks = new Map();
    if (sends.length === 0 && acks.length === 0) return;
    this.#committing = true;
    this.#chain = this.#commit(sends, acks)
      .catch((error: unknown) => {
        this.#log.error('hub.fanout-failed', { error: error instanceof Error ? error.name : 'unknown' });
      })
      .finally(() => {
        this.#committing = false;
        this.#flushNow();
      });
  }

  async #commit(sends: readonly PendingSend[], acks: readonly Ack[]): Promise<void> {
    let seqs: number[];
    try {
      seqs = await this.#store.commit(
        sends.map((s) => s.message),
        acks,
        this.#now(),
      );
    } catch (error) {
      this.#log.error('store.commit-failed', {
        messages: sends.length,
        acks: acks.length,
        error: error instanceof Error ? error.name : 'unknown',
      });
      this.#metrics.reject('storage-failed');
      for (const s of sends) s.from.storeFailed(s.requestId);
      return;
    }
    this.#metrics.batches += 1;
    this.#metrics.messagesIn += sends.length;
    // Each connection touched by this batch is corked at its first frame and uncorked after the
    // loop: its `stored` and `deliver` frames of the batch go out in one socket write.
    const corked = new Set<Subscriber>();
    const cork = (s: Subscriber): Subscriber => {
      if (!corked.has(s)) {
        corked.add(s);
        s.cork();
      }
      return s;
    };
    try {
      sends.forEach((s, i) => {
        const seq = seqs[i] ?? 0;
        cork(s.from).stored(s.requestId, seq);
        const receivers = this.#subscribers.get(s.message.queue);
        if (receivers === undefined) return;
        const message = { seq, envelope: s.message.envelope };
        if (receivers instanceof Set) for (const receiver of receivers) cork(receiver).push(message);
        else cork(receivers).push(message);
      });
    } finally {
      for (const s of corked) s.uncork();
    }
  }
}
