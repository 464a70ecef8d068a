/**
 * The bus on NATS core publish/subscribe (nats.js; JetStream is not needed): one subject per
 * queue, `<prefix>.q.d.<account>.<device>` or `<prefix>.q.v.<conversation>`, one per account,
 * `<prefix>.a.<account>`, and `<prefix>.control`. The server routes a publish only to nodes subscribed to that subject.
 * noEcho: a node does not hear its own publishes. The client reconnects for ever (every 250 ms)
 * and subscribes again by itself; a reconnect is reported so that the link re-checks the store.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { QueueKey } from '../store/store.js';
import { BusError } from '../store/pg-errors.js';
import { type Bus, type BusEvents, checkedAccount, checkedQueue } from './bus.js';

export async function connectNatsBus(url: string, prefix: string, events: BusEvents): Promise<Bus> {
  // Loaded only by nodes that use NATS.
  const { connect } = await import('@nats-io/transport-node');
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url,
      name: 'sealdesk-relay',
      noEcho: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // A dead connection is noticed within about 10 s even without traffic.
      pingInterval: 5_000,
      maxPingOut: 2,
    });
  } catch (error) {
    throw new BusError(
      `cannot connect to NATS at NATS_URL: ${error instanceof Error ? error.message : 'unknown error'}`,
      {
        cause: error,
      },
    );
  }
  return new NatsBus(nc, prefix, events);
}

class NatsBus implements Bus {
  readonly kind = 'nats';
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #events: BusEvents;
  readonly #subs = new Map<QueueKey, Subscription>();
  readonly #accountSubs = new Map<string, Subscription>();
  readonly #control: Subscription;
  #up = true;
  /** One flush (a PING round trip) confirms every subscription made before it. */
  #flush: Promise<void> | undefined;

  constructor(nc: NatsConnection, prefix: string, events: BusEvents) {
    this.#nc = nc;
    this.#prefix = prefix;
    this.#events = events;
    this.#control = nc.subscribe(`${prefix}.control`, {
      callback: (error, msg) => {
        if (error === null) events.onControl(msg.data);
      },
    });
    void this.#watchStatus();
  }

  connected(): boolean {
    return this.#up;
  }

  watch(queue: QueueKey): Promise<void> {
    if (!this.#subs.has(queue)) {
      const sub = this.#nc.subscribe(this.#subject(queue), {
        callback: (error, msg) => {
          if (error === null) this.#events.onQueue(queue, msg.data);
        },
      });
      this.#subs.set(queue, sub);
    }
    return this.#flushed();
  }

  unwatch(queue: QueueKey): void {
    this.#subs.get(queue)?.unsubscribe();
    this.#subs.delete(queue);
  }

  watchAccount(accountId: string): Promise<void> {
    if (!this.#accountSubs.has(accountId)) {
      const sub = this.#nc.subscribe(this.#accountSubject(accountId), {
        callback: (error, msg) => {
          if (error === null) this.#events.onAccount(accountId, msg.data);
        },
      });
      this.#accountSubs.set(accountId, sub);
    }
    return this.#flushed();
  }

  unwatchAccount(accountId: string): void {
    this.#accountSubs.get(accountId)?.unsubscribe();
    this.#accountSubs.delete(accountId);
  }

  publishAccount(accountId: string, payload: Uint8Array): void {
    this.#nc.publish(this.#accountSubject(accountId), payload);
  }

  publish(queue: QueueKey, payload: Uint8Array): void {
    this.#nc.publish(this.#subject(queue), payload);
  }

  publishControl(payload: Uint8Array): void {
    this.#nc.publish(`${this.#prefix}.control`, payload);
  }

  async close(): Promise<void> {
    this.#control.unsubscribe();
    for (const sub of [...this.#subs.values(), ...this.#accountSubs.values()]) sub.unsubscribe();
    this.#subs.clear();
    this.#accountSubs.clear();
    await this.#nc.close();
  }

  #subject(queue: QueueKey): string {
    return `${this.#prefix}.q.${checkedQueue(queue).replaceAll(':', '.')}`;
  }

  #accountSubject(accountId: string): string {
    return `${this.#prefix}.a.${checkedAccount(accountId)}`;
  }

  /** Resolves once every subscription made so far holds. */
  #flushed(): Promise<void> {
    this.#flush ??= this.#nc.flush().finally(() => {
      this.#flush = undefined;
    });
    return this.#flush;
  }

  async #watchStatus(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (status.type === 'disconnect') {
        this.#up = false;
        this.#events.onDisconnect();
      } else if (status.type === 'reconnect') {
        this.#up = true;
        this.#events.onReconnect();
      } else if (status.type === 'slowConsumer') {
        // Messages were dropped for a subscription: treat it as a reconnect (re-check everything).
        this.#events.onReconnect();
      }
    }
  }
}
