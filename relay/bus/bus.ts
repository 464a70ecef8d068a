/**
 * The cross-node wake-up path (docs/OPERATIONS.md, "Running several nodes"): a publish/subscribe
 * channel per receiver queue, one per account (the history nudge and team signals of PROTOCOL
 * §16.11/§16.12, heard by the nodes with a device of the account connected), plus one control
 * channel every node hears. NATS (nats-bus.ts) or Redis (redis-bus.ts). Nothing here is the source of truth: a lost publish only delays a
 * delivery until the next message of that queue, a reconnect of the bus or the poll of the
 * store (cluster-link.ts).
 */
import type { QueueKey } from '../store/store.js';

export interface BusEvents {
  /** A payload another node published for `queue`. */
  readonly onQueue: (queue: QueueKey, payload: Uint8Array) => void;
  /** A payload another node published on an account's channel (§16.11, §16.12). */
  readonly onAccount: (accountId: string, payload: Uint8Array) => void;
  /** A payload another node published on the control channel. */
  readonly onControl: (payload: Uint8Array) => void;
  /** The connection to the bus was lost. */
  readonly onDisconnect: () => void;
  /** The connection is back: whatever was published meanwhile may be lost. */
  readonly onReconnect: () => void;
}

export interface Bus {
  readonly kind: 'nats' | 'redis';
  connected(): boolean;
  /** Subscribes to a queue's channel; resolves once the bus will deliver what is published from then on. */
  watch(queue: QueueKey): Promise<void>;
  unwatch(queue: QueueKey): void;
  /** Best effort: a publish while the bus is down is dropped or buffered by the client. */
  publish(queue: QueueKey, payload: Uint8Array): void;
  /** An account's channel, as `watch`/`unwatch`/`publish` for a queue. */
  watchAccount(accountId: string): Promise<void>;
  unwatchAccount(accountId: string): void;
  publishAccount(accountId: string, payload: Uint8Array): void;
  publishControl(payload: Uint8Array): void;
  close(): Promise<void>;
}

/** Queue keys are `d:<hex>:<hex>` or `v:<hex>` (store.ts); anything else never reaches a bus. */
const QUEUE_KEY = /^[dv](?::[0-9a-f]{32}){1,2}$/;

export function checkedQueue(queue: QueueKey): QueueKey {
  if (!QUEUE_KEY.test(queue)) throw new TypeError('not a relay queue key');
  return queue;
}

/** Account ids are 32 lowercase hex digits (the relay's ids); anything else never reaches a bus. */
const ACCOUNT_ID = /^[0-9a-f]{32}$/;

export function checkedAccount(accountId: string): string {
  if (!ACCOUNT_ID.test(accountId)) throw new TypeError('not a relay account id');
  return accountId;
}
