/**
 * The bus on Redis publish/subscribe (node-redis): one channel per queue, `<prefix>:q:<queue key>`,
 * one per account, `<prefix>:a:<account>`, and `<prefix>:control`, on a subscriber connection of its own. Redis delivers a publish to
 * every subscriber of the channel, this node's included, so payloads carry the node id and the
 * link drops its own (wake-up.ts). Commands are not queued while the connection is down
 * (disableOfflineQueue): a publish then fails at once and is dropped. The client reconnects with
 * a back-off of at most one second and subscribes again by itself.
 */
import type { createClient as CreateClient } from '@redis/client';
import type { QueueKey } from '../store/store.js';
import { BusError } from '../store/pg-errors.js';
import { type Bus, type BusEvents, checkedAccount, checkedQueue } from './bus.js';

const reconnectStrategy = (retries: number): number => Math.min(50 + retries * 100, 1_000);

/** Loaded only by nodes that use Redis. */
const redis = (): Promise<{ createClient: typeof CreateClient }> => import('@redis/client');

function makeClient(createClient: typeof CreateClient, url: string) {
  const client = createClient({ url, disableOfflineQueue: true, pingInterval: 5_000, socket: { reconnectStrategy } });
  // Without a listener, an error event (the server went away) would end the process.
  client.on('error', () => undefined);
  return client;
}

type RedisClient = ReturnType<typeof makeClient>;

export async function connectRedisBus(url: string, prefix: string, events: BusEvents): Promise<Bus> {
  const { createClient } = await redis();
  const pub = makeClient(createClient, url);
  const sub = makeClient(createClient, url);
  try {
    await pub.connect();
    await sub.connect();
  } catch (error) {
    pub.destroy();
    sub.destroy();
    throw new BusError(
      `cannot connect to Redis at REDIS_URL: ${error instanceof Error ? error.message : 'unknown error'}`,
      { cause: error },
    );
  }
  const bus = new RedisBus(pub, sub, prefix, events);
  await bus.start();
  return bus;
}

class RedisBus implements Bus {
  readonly kind = 'redis';
  readonly #pub: RedisClient;
  readonly #sub: RedisClient;
  readonly #prefix: string;
  readonly #events: BusEvents;
  readonly #queueOf = new Map<string, QueueKey>();
  readonly #accountChannels = new Set<string>();
  #up = true;

  constructor(pub: RedisClient, sub: RedisClient, prefix: string, events: BusEvents) {
    this.#pub = pub;
    this.#sub = sub;
    this.#prefix = prefix;
    this.#events = events;
    sub.on('end', () => {
      this.#down();
    });
    sub.on('reconnecting', () => {
      this.#down();
    });
    sub.on('ready', () => {
      if (this.#up) return;
      this.#up = true;
      events.onReconnect();
    });
  }

  async start(): Promise<void> {
    await this.#sub.subscribe(
      `${this.#prefix}:control`,
      (message: Buffer) => {
        this.#events.onControl(message);
      },
      true,
    );
  }

  connected(): boolean {
    return this.#up;
  }

  async watch(queue: QueueKey): Promise<void> {
    const channel = this.#channel(queue);
    if (this.#queueOf.has(channel)) return;
    this.#queueOf.set(channel, queue);
    await this.#sub.subscribe(
      channel,
      (message: Buffer) => {
        this.#events.onQueue(queue, message);
      },
      true,
    );
  }

  unwatch(queue: QueueKey): void {
    const channel = this.#channel(queue);
    if (!this.#queueOf.delete(channel)) return;
    this.#sub.unsubscribe(channel).catch(() => undefined);
  }

  async watchAccount(accountId: string): Promise<void> {
    const channel = this.#accountChannel(accountId);
    if (this.#accountChannels.has(channel)) return;
    this.#accountChannels.add(channel);
    await this.#sub.subscribe(
      channel,
      (message: Buffer) => {
        this.#events.onAccount(accountId, message);
      },
      true,
    );
  }

  unwatchAccount(accountId: string): void {
    const channel = this.#accountChannel(accountId);
    if (!this.#accountChannels.delete(channel)) return;
    this.#sub.unsubscribe(channel).catch(() => undefined);
  }

  publishAccount(accountId: string, payload: Uint8Array): void {
    this.#pub.publish(this.#accountChannel(accountId), Buffer.from(payload)).catch(() => undefined);
  }

  publish(queue: QueueKey, payload: Uint8Array): void {
    this.#pub.publish(this.#channel(queue), Buffer.from(payload)).catch(() => undefined);
  }

  publishControl(payload: Uint8Array): void {
    this.#pub.publish(`${this.#prefix}:control`, Buffer.from(payload)).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#queueOf.clear();
    this.#accountChannels.clear();
    await Promise.all([this.#sub.close(), this.#pub.close()]);
  }

  #channel(queue: QueueKey): string {
    return `${this.#prefix}:q:${checkedQueue(queue)}`;
  }

  #accountChannel(accountId: string): string {
    return `${this.#prefix}:a:${checkedAccount(accountId)}`;
  }

  #down(): void {
    if (!this.#up) return;
    this.#up = false;
    this.#events.onDisconnect();
  }
}
