/**
 * Web Push subscriptions over HTTP (docs/OPERATIONS.md "HTTP API", PROTOCOL §16.9): the relay's
 * VAPID public key to subscribe with, and the device's own subscription, which only a device
 * session of that device may read or change. The push the relay then sends carries no content.
 */
import { fromBase64Url, toBase64Url } from '../../crypto/index.js';
import { type AccountId, type DeviceId, idToHex } from '../../wire/index.js';
import { BadResponseError, NotFoundError } from '../relay-errors.js';
import { type CallOptions, parseJsonObject, type RelayAuth, type RelayRequester } from './relay-request.js';
import { stringField } from './response-fields.js';

/** What a browser's PushSubscription gives (`endpoint`, `getKey('p256dh')`, `getKey('auth')`). */
export interface PushSubscriptionKeys {
  readonly endpoint: string;
  /** The subscription's P-256 public key, 65 bytes uncompressed (RFC 8291). */
  readonly p256dh: Uint8Array;
  /** Its 16-byte authentication secret (RFC 8291). */
  readonly auth: Uint8Array;
}

const subscriptionPath = (a: AccountId, d: DeviceId): string =>
  `/v1/accounts/${idToHex(a)}/devices/${idToHex(d)}/push-subscription`;

export class PushApi {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    this.#http = http;
  }

  /**
   * The relay's VAPID public key (65 bytes, the `applicationServerKey` to subscribe with);
   * undefined when the relay sends no push (404 `push-disabled`).
   */
  async vapidPublicKey(call?: CallOptions): Promise<Uint8Array | undefined> {
    const what = 'fetch the relay’s push key';
    try {
      const response = await this.#http.request({ method: 'GET', path: '/v1/push/vapid-public-key', what }, call);
      const key = fromBase64Url(stringField(parseJsonObject(response.bytes, what), 'publicKey', what, 200));
      if (key.length !== 65 || key[0] !== 0x04)
        throw new BadResponseError(`${what}: the relay's key is not an uncompressed P-256 point`);
      return key;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** Registers or replaces this device's subscription (a device session of the device itself). */
  async putSubscription(
    accountId: AccountId,
    deviceId: DeviceId,
    subscription: PushSubscriptionKeys,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<void> {
    await this.#http.request(
      {
        method: 'PUT',
        path: subscriptionPath(accountId, deviceId),
        what: 'register for push notifications',
        auth,
        json: {
          endpoint: subscription.endpoint,
          keys: { p256dh: toBase64Url(subscription.p256dh), auth: toBase64Url(subscription.auth) },
        },
      },
      call,
    );
  }

  /** The endpoint the relay holds for this device; undefined when none. */
  async subscriptionEndpoint(
    accountId: AccountId,
    deviceId: DeviceId,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<string | undefined> {
    const what = 'read the push subscription';
    try {
      const response = await this.#http.request(
        { method: 'GET', path: subscriptionPath(accountId, deviceId), what, auth },
        call,
      );
      return stringField(parseJsonObject(response.bytes, what), 'endpoint', what, 1024);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** Deletes this device's subscription; false when there was none. */
  async deleteSubscription(
    accountId: AccountId,
    deviceId: DeviceId,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<boolean> {
    const what = 'stop push notifications';
    const response = await this.#http.request(
      { method: 'DELETE', path: subscriptionPath(accountId, deviceId), what, auth },
      call,
    );
    return parseJsonObject(response.bytes, what)['deleted'] === true;
  }
}
