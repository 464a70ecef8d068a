/**
 * One relay node's link to the others when they share a store (PostgreSQL): the Hub's `HubCluster`.
 *
 * - A batch committed here is announced on the bus, one payload per message on its queue's channel
 *   (wake-up.ts); a node with a receiver of that queue delivers it, or fetches the gap from the
 *   store when it has not delivered up to the message's predecessor (ws/connection.ts).
 * - The store stays the source of truth; the bus only makes delivery fast. What the bus may lose
 *   is found again: after a reconnect (or a slow-consumer drop) the node re-checks every queue it
 *   serves; every `pollMs` it reads the heads of those queues from the store anyway (a node that
 *   died between its COMMIT and its publish, a publish lost in a Redis restart); and when a queue
 *   gets its first receiver here, its head is read once the bus subscription is confirmed, so a
 *   message committed between the receiver's backlog fetch and the subscription is not missed.
 * - A device or conversation deleted here is announced on the control channel: the other nodes
 *   close their sockets of it and forget their cached answers. The poll also closes sockets of
 *   queues whose owner is gone, in case that announcement was lost.
 * - The history nudge (PROTOCOL §16.11) and team signals (§16.12) are published on the account's
 *   channel, which a node hears while it has a device connection of that account; it passes them
 *   to its own connections of the account's other devices (a grant's nudge: of the one device the
 *   grant is for). Nothing of them is stored or re-read:
 *   a lost one stays lost (a nudge is caught up at the device's next sync, a signal is ephemeral).
 */
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Ack, ChainedSeq, NewMessage, QueueKey, SharedStore } from '../store/store.js';
import type { AnnouncedMessage, Hub, HubCluster } from '../ws/hub.js';
import type { Bus, BusEvents } from './bus.js';
import {
  NODE_ID_BYTES,
  decodeWakeUp,
  encodeDeviceNudge,
  encodeGone,
  encodeMessage,
  encodeNudge,
  encodeTeamSignal,
} from './wake-up.js';

/** Queues per queueHeads statement. */
const HEADS_CHUNK = 2_000;

export interface ClusterCache {
  forgetQueue(queue: QueueKey): void;
  forgetAll(): void;
}

export interface ClusterLinkOptions {
  readonly store: SharedStore;
  readonly cache: ClusterCache;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** How often the heads of every served queue are read from the store. */
  readonly pollMs: number;
}

export class ClusterLink implements HubCluster {
  readonly #store: SharedStore;
  readonly #cache: ClusterCache;
  readonly #log: Logger;
  readonly #node = crypto.getRandomValues(new Uint8Array(NODE_ID_BYTES));
  readonly #nodeHex = Buffer.from(this.#node).toString('hex');
  readonly #watched = new Set<QueueKey>();
  readonly #accounts = new Set<string>();
  readonly #pollMs: number;
  #hub: Hub | undefined;
  #bus: Bus | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The head of each served queue at the previous periodic poll. */
  readonly #polledHeads = new Map<QueueKey, number>();
  /** Queues to read the heads of at the next quick check (new subscriptions). */
  #soon = new Set<QueueKey>();
  #polling = false;
  #immediateAgain = false;
  readonly #counts = {
    published: 0,
    received: 0,
    invalid: 0,
    goneIn: 0,
    accountOut: 0,
    accountIn: 0,
    polls: 0,
    pollFailures: 0,
    pollSeconds: 0,
    reconnects: 0,
  };

  constructor(options: ClusterLinkOptions) {
    this.#store = options.store;
    this.#cache = options.cache;
    this.#log = options.log;
    this.#pollMs = options.pollMs;
    options.metrics.sections.push(() => this.#metricLines());
  }

  /** The handlers to give the bus when connecting it. */
  busEvents(): BusEvents {
    return {
      onQueue: (queue, payload) => {
        this.#onQueue(queue, payload);
      },
      onAccount: (accountId, payload) => {
        this.#onAccount(accountId, payload);
      },
      onControl: (payload) => {
        this.#onControl(payload);
      },
      onDisconnect: () => {
        this.#log.warn('bus.disconnected', { bus: this.#bus?.kind ?? 'none' });
      },
      onReconnect: () => {
        this.#counts.reconnects += 1;
        this.#log.info('bus.reconnected', { bus: this.#bus?.kind ?? 'none' });
        // Removals announced meanwhile may be lost: read everything from the store again.
        this.#cache.forgetAll();
        void this.poll(undefined, true);
      },
    };
  }

  /** Starts serving: the hub to deliver to, the bus (none: by polling only). */
  attach(hub: Hub, bus: Bus | undefined): void {
    this.#hub = hub;
    this.#bus = bus;
    this.#timer = setInterval(() => {
      void this.poll(undefined, false);
    }, this.#pollMs);
    this.#timer.unref();
  }

  // HubCluster

  commit(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<readonly ChainedSeq[]> {
    return this.#store.commitChained(messages, acks, now);
  }

  announce(messages: readonly AnnouncedMessage[]): void {
    const bus = this.#bus;
    if (bus === undefined) return;
    for (const m of messages) bus.publish(m.queue, encodeMessage(this.#node, m.seq, m.previous, m.envelope));
    this.#counts.published += messages.length;
  }

  watch(queue: QueueKey): void {
    this.#watched.add(queue);
    const bus = this.#bus;
    if (bus === undefined) {
      this.#checkSoon(queue);
      return;
    }
    bus.watch(queue).then(
      () => {
        this.#checkSoon(queue);
      },
      () => {
        this.#checkSoon(queue);
      },
    );
  }

  unwatch(queue: QueueKey): void {
    this.#watched.delete(queue);
    this.#polledHeads.delete(queue);
    this.#bus?.unwatch(queue);
  }

  gone(queue: QueueKey): void {
    this.#bus?.publishControl(encodeGone(this.#node, queue));
  }

  watchAccount(accountId: string): void {
    this.#accounts.add(accountId);
    // Best effort: a signal published before the subscription holds is not heard here.
    this.#bus?.watchAccount(accountId).catch(() => undefined);
  }

  unwatchAccount(accountId: string): void {
    this.#accounts.delete(accountId);
    this.#bus?.unwatchAccount(accountId);
  }

  nudge(accountId: string, exceptDeviceId: string): void {
    this.#publishAccount(accountId, encodeNudge(this.#node, exceptDeviceId));
  }

  nudgeDevice(accountId: string, deviceId: string): void {
    this.#publishAccount(accountId, encodeDeviceNudge(this.#node, deviceId));
  }

  teamSignal(accountId: string, authorDeviceId: string, blob: Uint8Array): void {
    this.#publishAccount(accountId, encodeTeamSignal(this.#node, authorDeviceId, blob));
  }

  /**
   * Reads the heads of `queues` (default: every queue served here) and acts on them. With
   * `immediate` false (the periodic poll) a receiver is asked to catch up only with the head the
   * PREVIOUS poll saw: a message committed a moment ago is usually on its way over the bus, and
   * one still missing a poll interval later was lost. So a lost wake-up costs at most two
   * intervals, and busy queues do not cause a fetch at every poll.
   */
  async poll(queues: readonly QueueKey[] | undefined, immediate: boolean): Promise<void> {
    const all = queues === undefined;
    if (all && this.#polling) {
      // A reconnect during a periodic poll: run again, immediately, once this one is done.
      this.#immediateAgain ||= immediate;
      return;
    }
    if (all) this.#polling = true;
    const started = performance.now();
    try {
      const list = queues ?? [...this.#watched];
      for (let i = 0; i < list.length; i += HEADS_CHUNK) {
        const heads = await this.#store.queueHeads(list.slice(i, i + HEADS_CHUNK));
        for (const [queue, { head, live }] of heads) {
          if (!this.#watched.has(queue)) continue;
          if (live) {
            const seen = immediate ? head : this.#polledHeads.get(queue);
            if (!immediate) this.#polledHeads.set(queue, head);
            if (seen !== undefined) this.#hub?.recheck(queue, seen);
          } else {
            this.#cache.forgetQueue(queue);
            this.#hub?.closeQueue(queue, 'removed');
          }
        }
      }
      this.#counts.polls += 1;
    } catch (error) {
      this.#counts.pollFailures += 1;
      this.#log.warn('cluster.poll-failed', { error: error instanceof Error ? error.name : 'unknown' });
    } finally {
      this.#counts.pollSeconds += (performance.now() - started) / 1000;
      if (all) this.#polling = false;
      if (all && this.#immediateAgain) {
        this.#immediateAgain = false;
        void this.poll(undefined, true);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#bus?.close();
  }

  /** The queues subscribed in this tick are checked together, once their subscriptions hold. */
  #checkSoon(queue: QueueKey): void {
    if (this.#soon.size === 0) {
      setImmediate(() => {
        const soon = [...this.#soon];
        this.#soon = new Set();
        void this.poll(soon, true);
      });
    }
    this.#soon.add(queue);
  }

  #onQueue(queue: QueueKey, payload: Uint8Array): void {
    const w = decodeWakeUp(payload);
    if (w?.type !== 'message') {
      this.#counts.invalid += 1;
      return;
    }
    if (w.node === this.#nodeHex) return;
    this.#counts.received += 1;
    this.#hub?.deliverRemote(queue, { seq: w.seq, envelope: w.envelope }, w.previous);
  }

  #publishAccount(accountId: string, payload: Uint8Array): void {
    const bus = this.#bus;
    if (bus === undefined) return;
    bus.publishAccount(accountId, payload);
    this.#counts.accountOut += 1;
  }

  #onAccount(accountId: string, payload: Uint8Array): void {
    const w = decodeWakeUp(payload);
    if (w?.type !== 'nudge' && w?.type !== 'device-nudge' && w?.type !== 'team-signal') {
      this.#counts.invalid += 1;
      return;
    }
    if (w.node === this.#nodeHex || !this.#accounts.has(accountId)) return;
    this.#counts.accountIn += 1;
    if (w.type === 'nudge') this.#hub?.nudgeHere(accountId, w.exceptDevice);
    else if (w.type === 'device-nudge') this.#hub?.nudgeDeviceHere(accountId, w.device);
    else this.#hub?.teamSignalHere(accountId, w.author, w.blob.slice());
  }

  #onControl(payload: Uint8Array): void {
    const w = decodeWakeUp(payload);
    if (w?.type !== 'gone') {
      this.#counts.invalid += 1;
      return;
    }
    if (w.node === this.#nodeHex) return;
    this.#counts.goneIn += 1;
    this.#cache.forgetQueue(w.queue);
    this.#hub?.closeQueue(w.queue, 'removed');
  }

  #metricLines(): string[] {
    const c = this.#counts;
    const counter = (name: string, help: string, value: number): string[] => [
      `# HELP ${name} ${help}`,
      `# TYPE ${name} counter`,
      `${name} ${value}`,
    ];
    return [
      '# HELP sealdesk_bus_connected 1 while this node is connected to its bus (NATS or Redis), else 0.',
      '# TYPE sealdesk_bus_connected gauge',
      `sealdesk_bus_connected ${this.#bus?.connected() === true ? 1 : 0}`,
      '# HELP sealdesk_bus_watched_queues Receiver queues this node serves (one bus subscription each).',
      '# TYPE sealdesk_bus_watched_queues gauge',
      `sealdesk_bus_watched_queues ${this.#watched.size}`,
      '# HELP sealdesk_bus_watched_accounts Accounts with a device connected here (one bus subscription each).',
      '# TYPE sealdesk_bus_watched_accounts gauge',
      `sealdesk_bus_watched_accounts ${this.#accounts.size}`,
      ...counter('sealdesk_bus_published_total', 'Wake-ups this node published.', c.published),
      ...counter('sealdesk_bus_received_total', 'Wake-ups from other nodes received.', c.received),
      ...counter('sealdesk_bus_invalid_total', 'Bus payloads dropped as malformed.', c.invalid),
      ...counter('sealdesk_bus_gone_received_total', 'Removals announced by other nodes.', c.goneIn),
      ...counter(
        'sealdesk_bus_account_published_total',
        'History and grant nudges and team signals published.',
        c.accountOut,
      ),
      ...counter(
        'sealdesk_bus_account_received_total',
        'History and grant nudges and team signals from other nodes.',
        c.accountIn,
      ),
      ...counter('sealdesk_bus_reconnects_total', 'Reconnects of the bus (each re-checks every queue).', c.reconnects),
      ...counter('sealdesk_cluster_polls_total', 'Polls of the queue heads in the store.', c.polls),
      ...counter('sealdesk_cluster_poll_failures_total', 'Polls that failed (store unreachable).', c.pollFailures),
      ...counter('sealdesk_cluster_poll_seconds_total', 'Time spent polling queue heads.', c.pollSeconds),
    ];
  }
}
