/**
 * Web Push wake-ups (issue #15 item 4; PROTOCOL §16.9). When a frame is stored for a device with
 * no open connection on this node, the relay asks the device's push service to wake it: the
 * constant content-free payload (wake-payload.ts), encrypted to the subscription (RFC 8291,
 * aes128gcm) and signed with the relay's VAPID key (RFC 8292) by `web-push`, then POSTed (RFC 8030)
 * with TTL, Urgency: high and a Topic so the push service keeps one wake-up per device.
 *
 * - Coalesced: at most one wake-up per device per SEALDESK_PUSH_INTERVAL_SECONDS; a device that
 *   registers a new subscription starts afresh (`forget`).
 * - Bounded: at most SEALDESK_PUSH_CONCURRENCY requests in flight, MAX_WAITING more queued; past
 *   that a wake-up is dropped (logged) and the device's next message tries again.
 * - A 404 or 410 from the push service deletes the subscription (RFC 8030 §7.3), unless the device
 *   has registered another one meanwhile.
 * - Only public addresses: the request connects through a lookup that refuses loopback, private and
 *   link-local addresses (push-post.ts, push-address.ts; THREAT-MODEL "Push endpoints").
 * - Other failures are logged with the status and the push
 *   service's host only: the payload is a constant, and no id of a conversation or sender exists
 *   in anything sent.
 */
import webPush from 'web-push';
import type { PushConfig } from '../config.js';
import { errorText, type Logger } from '../log.js';
import type { PushSubscriptionRecord, Store } from '../store/store.js';
import { LruMap } from '../store/lru-map.js';
import type { VapidKeys } from './vapid-keys.js';
import { postPushMessage } from './push-post.js';
import { WAKE_PAYLOAD, WAKE_TOPIC } from './wake-payload.js';

/** Devices whose last wake-up time is remembered (an LRU; a forgotten one may be woken early). */
const REMEMBERED_DEVICES = 100_000;
/** Wake-ups queued behind the in-flight ones. */
const MAX_WAITING = 10_000;
/** A push service that has not answered by then is given up on for this wake-up. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface PushWakerDeps {
  readonly store: Pick<Store, 'getPushSubscription' | 'deletePushSubscription'>;
  readonly log: Logger;
  readonly now: () => number;
  readonly keys: VapidKeys;
  readonly config: PushConfig;
}

interface Device {
  readonly accountId: string;
  readonly deviceId: string;
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

export class PushWaker {
  readonly #deps: PushWakerDeps;
  readonly #lastWake = new LruMap<string, number>(REMEMBERED_DEVICES);
  readonly #waiting: Device[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stop = new AbortController();

  constructor(deps: PushWakerDeps) {
    this.#deps = deps;
  }

  /** The VAPID public key devices subscribe with (base64url). */
  get publicKey(): string {
    return this.#deps.keys.publicKey;
  }

  /** A frame was stored for this device while it had no connection here. */
  wake(accountId: string, deviceId: string): void {
    if (this.#stop.signal.aborted) return;
    const key = `${accountId}:${deviceId}`;
    const now = this.#deps.now();
    const last = this.#lastWake.get(key);
    if (last !== undefined && now - last < this.#deps.config.intervalMs) return;
    if (this.#inFlight.size >= this.#deps.config.concurrency && this.#waiting.length >= MAX_WAITING) {
      this.#deps.log.warn('push.dropped', { reason: 'too-many-waiting' });
      return;
    }
    this.#lastWake.set(key, now);
    this.#waiting.push({ accountId, deviceId });
    this.#pump();
  }

  /** The device registered or deleted its subscription: its next frame may wake it at once. */
  forget(accountId: string, deviceId: string): void {
    this.#lastWake.delete(`${accountId}:${deviceId}`);
  }

  /** Resolves when nothing is queued or in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Stops: queued wake-ups are dropped and requests in flight aborted. */
  async close(): Promise<void> {
    this.#waiting.length = 0;
    this.#stop.abort();
    await this.idle();
  }

  #pump(): void {
    while (this.#inFlight.size < this.#deps.config.concurrency) {
      const next = this.#waiting.shift();
      if (next === undefined) return;
      const running: Promise<void> = this.#send(next)
        .catch((error: unknown) => {
          this.#deps.log.warn('push.failed', { error: errorText(error) });
        })
        .finally(() => {
          this.#inFlight.delete(running);
          this.#pump();
        });
      this.#inFlight.add(running);
    }
  }

  async #send({ accountId, deviceId }: Device): Promise<void> {
    const subscription = await this.#deps.store.getPushSubscription(accountId, deviceId);
    if (subscription === undefined) return;
    const status = await this.#post(subscription);
    const host = new URL(subscription.endpoint).host;
    if (status >= 200 && status < 300) {
      this.#deps.log.debug('push.sent', { host });
    } else if (status === 404 || status === 410) {
      await this.#deps.store.deletePushSubscription(accountId, deviceId, subscription.endpoint);
      this.#deps.log.info('push.subscription-gone', { host, status });
    } else {
      this.#deps.log.warn('push.failed', { host, status });
    }
  }

  /** One RFC 8030 push message request; the push service's status. */
  async #post(subscription: PushSubscriptionRecord): Promise<number> {
    const { keys, config } = this.#deps;
    const details = webPush.generateRequestDetails(
      {
        endpoint: subscription.endpoint,
        keys: { p256dh: b64url(subscription.p256dh), auth: b64url(subscription.auth) },
      },
      WAKE_PAYLOAD,
      {
        vapidDetails: { subject: config.subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
        contentEncoding: 'aes128gcm',
        TTL: config.ttlSeconds,
        urgency: 'high',
        topic: WAKE_TOPIC,
      },
    );
    const headers: Record<string, string> = {};
    // web-push's type says string, but TTL and Content-Length are numbers at run time.
    const raw: Readonly<Record<string, unknown>> = details.headers;
    for (const [name, value] of Object.entries(raw))
      if (name.toLowerCase() !== 'content-length' && (typeof value === 'string' || typeof value === 'number'))
        headers[name.toLowerCase()] = String(value);
    return postPushMessage({
      endpoint: details.endpoint,
      headers,
      body: new Uint8Array(details.body),
      signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      allowLoopbackHttp: config.allowLoopbackHttp,
    });
  }
}
