/**
 * Store-and-forward core, with group commit. Frames are collected and committed in ONE store
 * transaction (appends + acks); only after that commit is durable does the sender get its
 * `stored` frame and do online receivers get `deliver` frames. At most one commit is in flight:
 * frames that arrive while it waits for the disk are collected and committed together as the
 * next batch as soon as it finishes. Commits are therefore serialised, so receivers see cursors
 * in increasing order. Delivery is at-least-once: a receiver may get a message again after a
 * reconnect and dedupes by cursor. A send is idempotent (docs/PROTOCOL.md §16.2): an envelope the
 * store reports as `resent` (its queue got the same bytes before, within retention, also earlier
 * in the same batch) is answered `stored` with the first cursor and is not delivered or announced
 * again.
 *
 * With several relay nodes (`HubCluster`, relay/bus/cluster-link.ts) the store is shared, commits
 * return each message's predecessor in its queue, and messages committed by other nodes arrive
 * through `deliverRemote`; a subscriber that has not seen a message's predecessor fetches the gap
 * from the store before it delivers past it (ws/connection.ts). The history nudge (§16.11) and team
 * signals (§16.12) go to the other nodes too, on the account's channel, heard by the nodes with a
 * device of the account connected (`watchAccount`), and reach `nudgeHere` / `teamSignalHere`. */
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Ack, ChainedSeq, CommittedSend, NewMessage, QueueKey, Store, StoredMessage } from '../store/store.js';
import { deviceQueue, queueOwner, visitorQueue } from '../store/store.js';
import { LruMap } from '../store/lru-map.js';

/** What the hub needs from a connection. */
export interface Subscriber {
  /**
   * A committed message for the subscriber's queue, in cursor order on one node. `previous` (with
   * a shared store) is the cursor of the message before it in the queue: if the subscriber has
   * not delivered that far, it fetches the gap from the store first.
   */
  push(message: StoredMessage, previous?: number): void;
  /** The queue's newest cursor in the store is `head`: fetch from the store if behind it. */
  recheck(head: number): void;
  /** The envelope of send `requestId` is committed under `cursor`. */
  stored(requestId: number, cursor: number): void;
  /** The commit failed; the sender should resend. */
  storeFailed(requestId: number): void;
  /** The recipient's queue is full (SEALDESK_MAX_QUEUE_MESSAGES); nothing was stored. */
  queueFull(requestId: number): void;
  /** §16.11: the account's history changed (sent only to device connections). */
  nudge(): void;
  /** §16.12: a team signal of another device of the account (sent only to device connections). */
  teamSignal(author: string, blob: Uint8Array): void;
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

/** A committed message as other nodes hear of it (relay/bus/wake-up.ts). */
export interface AnnouncedMessage {
  readonly queue: QueueKey;
  readonly seq: number;
  readonly previous: number;
  readonly envelope: Uint8Array;
}

/** What the hub needs when relay nodes share a store (relay/bus/cluster-link.ts). */
export interface HubCluster {
  /** The shared store's commit, with each message's predecessor (SharedStore.commitChained). */
  commit(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<readonly ChainedSeq[]>;
  /** A batch committed here: tell the other nodes (after the local receivers were served). */
  announce(messages: readonly AnnouncedMessage[]): void;
  /** The first subscriber of `queue` on this node arrived / the last one left. */
  watch(queue: QueueKey): void;
  unwatch(queue: QueueKey): void;
  /** A device or conversation was deleted here: its sockets on the other nodes close too. */
  gone(queue: QueueKey): void;
  /** The first device connection of the account on this node arrived / the last one left. */
  watchAccount(accountId: string): void;
  unwatchAccount(accountId: string): void;
  /** §16.11 / §16.12 done here: the other nodes do theirs (best effort, never stored). */
  nudge(accountId: string, exceptDeviceId: string): void;
  /** §16.11, one device (a grant awaits it): the node that serves it nudges it. */
  nudgeDevice(accountId: string, deviceId: string): void;
  teamSignal(accountId: string, authorDeviceId: string, blob: Uint8Array): void;
}

export const CLOSE_GONE = 4410;
/** The account blocked the conversation's visitor (PROTOCOL §16.10, issue #15 item 6). */
export const CLOSE_BLOCKED = 4403;
/** Queue depths remembered (an LRU; a forgotten one is counted in the store again). */
const DEPTH_MEMORY_ENTRIES = 100_000;

export interface HubLimits {
  /** Messages a receiver queue may hold (SEALDESK_MAX_QUEUE_MESSAGES; issue #10 item 5). */
  readonly maxQueueMessages?: number;
  /**
   * Called after a commit for each receiver queue that got a message and has no subscriber on this
   * node (a device to wake with Web Push, relay/push/push-waker.ts). Must not throw.
   */
  readonly onStoredWhileAway?: (queue: QueueKey) => void;
}
/** The same code as a failed hello (ws/connection.ts CLOSE_AUTH_FAILED): authenticate again. */
export const CLOSE_REKEYED = 4401;
const NONE: readonly Subscriber[] = [];

export class Hub {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #now: () => number;
  /** Usually one connection per queue: stored bare, a Set only for several (idle memory). */
  readonly #subscribers = new Map<QueueKey, Subscriber | Set<Subscriber>>();
  /** Device queues with a subscriber on this node, by account (the nudge of §16.11). */
  readonly #deviceQueues = new Map<string, Map<string, QueueKey>>();
  #sends: PendingSend[] = [];
  #acks = new Map<QueueKey, number>();
  #scheduled = false;
  #committing = false;
  #chain: Promise<void> = Promise.resolve();
  readonly #cluster: HubCluster | undefined;
  /** Subscribers corked by remote deliveries of this tick, uncorked together (deliverRemote). */
  #remoteCorked = new Set<Subscriber>();
  readonly #maxQueueMessages: number;
  readonly #onStoredWhileAway: ((queue: QueueKey) => void) | undefined;
  /**
   * The messages of a queue as of its last count in the store plus what this node committed since:
   * an upper bound once an ack of the queue has deleted some (`exact` false). The store is asked
   * again only when that bound reaches the limit and is not exact, so a full queue costs one count
   * per ack of its, not one per send. Other nodes' messages are seen at a count, so with several
   * nodes the bound may be passed by what the others commit in between.
   */
  readonly #depths = new LruMap<QueueKey, { depth: number; exact: boolean }>(DEPTH_MEMORY_ENTRIES);

  constructor(
    store: Store,
    log: Logger,
    metrics: Metrics,
    now: () => number,
    cluster?: HubCluster,
    limits: HubLimits = {},
  ) {
    this.#store = store;
    this.#log = log;
    this.#metrics = metrics;
    this.#now = now;
    this.#cluster = cluster;
    this.#maxQueueMessages = limits.maxQueueMessages ?? Infinity;
    this.#onStoredWhileAway = limits.onStoredWhileAway;
  }

  subscribe(queue: QueueKey, s: Subscriber): void {
    const current = this.#subscribers.get(queue);
    if (current === undefined || current === s) this.#subscribers.set(queue, s);
    else if (current instanceof Set) current.add(s);
    else this.#subscribers.set(queue, new Set([current, s]));
    if (current === undefined) {
      this.#cluster?.watch(queue);
      const owner = queueOwner(queue);
      if (owner?.kind === 'device') {
        let devices = this.#deviceQueues.get(owner.accountId);
        if (devices === undefined) {
          devices = new Map<string, QueueKey>();
          this.#deviceQueues.set(owner.accountId, devices);
          this.#cluster?.watchAccount(owner.accountId);
        }
        devices.set(owner.deviceId, queue);
      }
    }
  }

  unsubscribe(queue: QueueKey, s: Subscriber): void {
    const current = this.#subscribers.get(queue);
    if (current === s) {
      this.#subscribers.delete(queue);
      this.#cluster?.unwatch(queue);
      const owner = queueOwner(queue);
      if (owner?.kind === 'device') {
        const devices = this.#deviceQueues.get(owner.accountId);
        devices?.delete(owner.deviceId);
        if (devices?.size === 0) {
          this.#deviceQueues.delete(owner.accountId);
          this.#cluster?.unwatchAccount(owner.accountId);
        }
      }
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

  /**
   * Closes the device's sockets on every node: 4410 when it was removed, 4401 here when its key was
   * replaced (the client signs in again with the new key; issue #10 item 2). Other nodes close
   * theirs with 4410 and forget the cached key (relay/bus/cluster-link.ts).
   */
  disconnectDevice(accountId: string, deviceId: string, why: 'removed' | 'rekeyed' = 'removed'): void {
    const queue = deviceQueue(accountId, deviceId);
    if (why === 'removed') this.closeQueue(queue, 'device removed');
    else for (const s of this.#subscribersOf(queue)) s.close(CLOSE_REKEYED, 'device key replaced');
    this.#cluster?.gone(queue);
  }

  disconnectConversation(conversationId: string): void {
    const queue = visitorQueue(conversationId);
    this.closeQueue(queue, 'conversation deleted');
    this.#cluster?.gone(queue);
  }

  /**
   * Closes this node's visitor sockets of a conversation whose visitor was just blocked (4403); a
   * new hello is refused with `blocked`. Sockets on other nodes see the block on their next hello.
   */
  blockConversation(conversationId: string): void {
    for (const s of this.#subscribersOf(visitorQueue(conversationId)))
      s.close(CLOSE_BLOCKED, 'the business blocked this conversation');
  }

  /**
   * §16.11: tells the connections of the account's other devices, on every node, that its history
   * changed (no fields). Best effort: a device offline, or missed by a lost bus publish, reads it
   * at its next sync.
   */
  nudgeAccount(accountId: string, exceptDeviceId: string): void {
    this.nudgeHere(accountId, exceptDeviceId);
    this.#cluster?.nudge(accountId, exceptDeviceId);
  }

  /** §16.11 on this node's connections only (another node's nudge, relay/bus/cluster-link.ts). */
  nudgeHere(accountId: string, exceptDeviceId: string): void {
    for (const [deviceId, queue] of this.#deviceQueues.get(accountId) ?? []) {
      if (deviceId === exceptDeviceId) continue;
      for (const s of this.#subscribersOf(queue)) s.nudge();
    }
  }

  /**
   * §16.11: tells the connections of one device of the account, on every node, that a grant awaits
   * it (no fields). Best effort, as `nudgeAccount`: a device offline reads it at its next sync.
   */
  nudgeDevice(accountId: string, deviceId: string): void {
    this.nudgeDeviceHere(accountId, deviceId);
    this.#cluster?.nudgeDevice(accountId, deviceId);
  }

  /** `nudgeDevice` on this node's connections only (another node's, relay/bus/cluster-link.ts). */
  nudgeDeviceHere(accountId: string, deviceId: string): void {
    const queue = this.#deviceQueues.get(accountId)?.get(deviceId);
    if (queue === undefined) return;
    for (const s of this.#subscribersOf(queue)) s.nudge();
  }

  /**
   * §16.12: forwards a team signal to the connections of the account's other devices, on every
   * node, as `nudgeAccount` does (same index): never stored, never to a visitor or another
   * account. Best effort: a device offline never gets it (signals are ephemeral). The rate limit
   * is the sending connection's, on its own node (ws/connection.ts).
   */
  forwardTeamSignal(accountId: string, authorDeviceId: string, blob: Uint8Array): void {
    this.teamSignalHere(accountId, authorDeviceId, blob);
    this.#cluster?.teamSignal(accountId, authorDeviceId, blob);
  }

  /** §16.12 on this node's connections only (another node's signal, relay/bus/cluster-link.ts). */
  teamSignalHere(accountId: string, authorDeviceId: string, blob: Uint8Array): void {
    for (const [deviceId, queue] of this.#deviceQueues.get(accountId) ?? []) {
      if (deviceId === authorDeviceId) continue;
      for (const s of this.#subscribersOf(queue)) s.teamSignal(authorDeviceId, blob);
    }
  }

  /** Closes this node's sockets of a queue that no longer exists. */
  closeQueue(queue: QueueKey, reason: string): void {
    this.#depths.delete(queue);
    for (const s of this.#subscribersOf(queue)) s.close(CLOSE_GONE, reason);
  }

  /** Queues with a subscriber on this node. */
  subscribedQueues(): IterableIterator<QueueKey> {
    return this.#subscribers.keys();
  }

  /**
   * A message another node committed. Receivers of one tick are corked together and uncorked
   * after the I/O of the tick (setImmediate), so a burst from the bus leaves in few writes.
   */
  deliverRemote(queue: QueueKey, message: StoredMessage, previous: number): void {
    for (const s of this.#subscribersOf(queue)) {
      if (!this.#remoteCorked.has(s)) {
        if (this.#remoteCorked.size === 0)
          setImmediate(() => {
            this.#uncorkRemote();
          });
        this.#remoteCorked.add(s);
        s.cork();
      }
      s.push(message, previous);
    }
    this.#metrics.remoteIn += 1;
  }

  /** The queue's newest cursor in the store (cluster poll): subscribers behind it catch up. */
  recheck(queue: QueueKey, head: number): void {
    for (const s of this.#subscribersOf(queue)) s.recheck(head);
  }

  #uncorkRemote(): void {
    const corked = this.#remoteCorked;
    this.#remoteCorked = new Set();
    for (const s of corked) s.uncork();
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

  /**
   * The sends whose receiver queue has room; the others get queue-full (issue #10 item 5). Queues
   * of unknown depth are counted in the store first (once per ack of theirs, see #depths).
   */
  async #admit(sends: readonly PendingSend[], acks: readonly Ack[]): Promise<readonly PendingSend[]> {
    for (const a of acks) {
      const known = this.#depths.get(a.queue);
      if (known !== undefined) known.exact = false;
    }
    if (this.#maxQueueMessages === Infinity || sends.length === 0) return sends;
    const wanted = new Map<QueueKey, number>();
    for (const s of sends) wanted.set(s.message.queue, (wanted.get(s.message.queue) ?? 0) + 1);
    const recount = [...wanted].filter(([q, n]) => {
      const known = this.#depths.get(q);
      return known === undefined || (!known.exact && known.depth + n > this.#maxQueueMessages);
    });
    if (recount.length > 0)
      for (const [q, depth] of await this.#store.queueDepths(recount.map(([q]) => q)))
        this.#depths.set(q, { depth, exact: true });
    const admitted: PendingSend[] = [];
    for (const s of sends) {
      const known = this.#depths.get(s.message.queue) ?? { depth: 0, exact: true };
      if (known.depth >= this.#maxQueueMessages) {
        // Counted as a reject by the connection's error frame.
        s.from.queueFull(s.requestId);
        continue;
      }
      this.#depths.set(s.message.queue, { depth: known.depth + 1, exact: known.exact });
      admitted.push(s);
    }
    return admitted;
  }

  async #commit(all: readonly PendingSend[], acks: readonly Ack[]): Promise<void> {
    let committed: readonly CommittedSend[];
    let previous: readonly number[] | undefined;
    let sends: readonly PendingSend[] = all;
    try {
      sends = await this.#admit(all, acks);
      const messages = sends.map((s) => s.message);
      if (this.#cluster === undefined) {
        committed = await this.#store.commit(messages, acks, this.#now());
      } else {
        const chained = await this.#cluster.commit(messages, acks, this.#now());
        committed = chained;
        previous = chained.map((c) => c.previous);
      }
    } catch (error) {
      // What was counted for these sends did not happen: count those queues again next time.
      for (const s of sends) this.#depths.delete(s.message.queue);
      this.#log.error('store.commit-failed', {
        messages: sends.length,
        acks: acks.length,
        error: error instanceof Error ? error.name : 'unknown',
      });
      this.#metrics.reject('storage-failed');
      for (const s of sends) s.from.storeFailed(s.requestId);
      return;
    }
    const fresh = sends.filter((_, i) => committed[i]?.resent !== true);
    this.#metrics.batches += 1;
    this.#metrics.messagesIn += fresh.length;
    this.#metrics.resends += sends.length - fresh.length;
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
    const away = new Set<QueueKey>();
    const announced: AnnouncedMessage[] = [];
    try {
      sends.forEach((s, i) => {
        const seq = committed[i]?.seq ?? 0;
        cork(s.from).stored(s.requestId, seq);
        if (committed[i]?.resent === true) {
          // §16.2: a resend, stored once already; #admit counted it, the queue did not grow.
          const known = this.#depths.get(s.message.queue);
          if (known !== undefined) this.#depths.set(s.message.queue, { ...known, depth: Math.max(0, known.depth - 1) });
          return;
        }
        const before = previous?.[i];
        if (before !== undefined)
          announced.push({ queue: s.message.queue, seq, previous: before, envelope: s.message.envelope });
        const receivers = this.#subscribers.get(s.message.queue);
        if (receivers === undefined) {
          away.add(s.message.queue);
          return;
        }
        const message = { seq, envelope: s.message.envelope };
        if (receivers instanceof Set) for (const receiver of receivers) cork(receiver).push(message, before);
        else cork(receivers).push(message, before);
      });
    } finally {
      for (const s of corked) s.uncork();
    }
    if (this.#onStoredWhileAway !== undefined) for (const queue of away) this.#onStoredWhileAway(queue);
    if (this.#cluster !== undefined && previous !== undefined) this.#cluster.announce(announced);
  }
}
