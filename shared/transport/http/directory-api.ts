/**
 * The key directory over HTTP: device enrolment, the signed device-list chain, prekey bundles,
 * one-time prekeys, the signed widget configuration (docs/OPERATIONS.md "HTTP API"). The relay
 * stores these blobs without checking them; callers verify every one (shared/protocol) before use.
 */
import { toBase64Url } from '../../crypto/index.js';
import { type AccountId, type DeviceId, idToHex } from '../../wire/index.js';
import { NotFoundError } from '../relay-errors.js';
import type { CallOptions, RelayAuth, RelayRequester } from './relay-request.js';
import { bytesField, bytesOf, deviceIdField, numberField } from './response-fields.js';
import { BadResponseError } from '../relay-errors.js';

/** A signed device list as the relay serves it (verify before use: PROTOCOL §4). */
export interface SignedListBlob {
  readonly version: number;
  readonly blob: Uint8Array;
}

export interface BundleBlob {
  readonly deviceId: DeviceId;
  readonly bundle: Uint8Array;
}

/** Largest blob the relay serves (SEALDESK_MAX_BLOB_BYTES is at most 1 MiB). */
const MAX_BLOB = 1024 * 1024;
/** A bundles answer: up to 64 devices (LIMITS.maxDevicesPerList), each bundle base64url. */
const MAX_BUNDLES_ANSWER = 8 * 1024 * 1024;
/** Versions fetched by one deviceListsAfter call at most; call again from the last one. */
export const MAX_CHAIN_FETCH = 64;

const account = (a: AccountId): string => `/v1/accounts/${idToHex(a)}`;
const device = (a: AccountId, d: DeviceId): string => `${account(a)}/devices/${idToHex(d)}`;

/** undefined for a 404, the error otherwise. */
async function orNotFound<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** What a visitor reads from the directory: the list chain, bundles, one-time prekeys, the widget configuration. */
export class DirectoryReads {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    this.#http = http;
  }

  /** One signed list (the latest by default); undefined if the account has none (or not that version). */
  deviceList(
    accountId: AccountId,
    version: number | 'latest' = 'latest',
    call?: CallOptions,
  ): Promise<SignedListBlob | undefined> {
    const what = 'fetch the device list';
    return orNotFound(async () => {
      const response = await this.#http.request(
        { method: 'GET', path: `${account(accountId)}/device-lists/${version}`, what, maxResponseBytes: MAX_BLOB },
        call,
      );
      const served = Number(response.headers.get('sealdesk-version'));
      if (!Number.isSafeInteger(served) || served < 1 || (version !== 'latest' && served !== version)) {
        throw new BadResponseError(`${what}: the relay named another version than the one asked for`);
      }
      return { version: served, blob: response.bytes };
    });
  }

  /**
   * The chain after version `after`, oldest first, at most MAX_CHAIN_FETCH lists (call again from
   * the last one for more). The client verifies each link (PROTOCOL §4.3) before trusting any.
   */
  async deviceListsAfter(accountId: AccountId, after: number, call?: CallOptions): Promise<SignedListBlob[]> {
    const latest = await this.deviceList(accountId, 'latest', call);
    if (latest === undefined || latest.version <= after) return [];
    const first = Math.max(after + 1, latest.version - MAX_CHAIN_FETCH + 1);
    const lists: SignedListBlob[] = [];
    for (let v = first; v < latest.version; v++) {
      const list = await this.deviceList(accountId, v, call);
      if (list === undefined) throw new BadResponseError(`fetch the device list chain: version ${v} is missing`);
      lists.push(list);
    }
    lists.push(latest);
    return lists;
  }

  /** Every device's published bundle (verify each: PROTOCOL §3.3). */
  async bundles(accountId: AccountId, call?: CallOptions): Promise<BundleBlob[]> {
    const what = 'fetch prekey bundles';
    const body = await this.#http.json(
      { method: 'GET', path: `${account(accountId)}/bundles`, what, maxResponseBytes: MAX_BUNDLES_ANSWER },
      call,
    );
    const list = body['bundles'];
    if (!Array.isArray(list)) throw new BadResponseError(`${what}: the relay's answer lacks "bundles"`);
    return list.map((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null)
        throw new BadResponseError(`${what}: a bundle entry is not an object`);
      const e = entry as Readonly<Record<string, unknown>>;
      return { deviceId: deviceIdField(e, 'deviceId', what), bundle: bytesOf(e['bundle'], 'bundle', what) };
    });
  }

  /** Claims (removes) one of the device's one-time prekeys; undefined when none is left. */
  claimOneTimePrekey(accountId: AccountId, deviceId: DeviceId, call?: CallOptions): Promise<Uint8Array | undefined> {
    const what = 'claim a one-time prekey';
    return orNotFound(async () => {
      const body = await this.#http.json(
        { method: 'POST', path: `${device(accountId, deviceId)}/one-time-prekeys/claim`, what },
        call,
      );
      return bytesField(body, 'prekey', what);
    });
  }

  /** The signed widget configuration; undefined if the account published none. */
  widgetConfig(accountId: AccountId, call?: CallOptions): Promise<Uint8Array | undefined> {
    return orNotFound(async () => {
      const response = await this.#http.request(
        {
          method: 'GET',
          path: `${account(accountId)}/widget-config`,
          what: 'fetch the widget configuration',
          maxResponseBytes: MAX_BLOB,
        },
        call,
      );
      return response.bytes;
    });
  }
}

/** The directory as an agent device uses it: the reads, and enrolment and every publication. */
export class DirectoryApi extends DirectoryReads {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    super(http);
    this.#http = http;
  }

  /**
   * Enrols a device's Ed25519 public key for relay access (ConflictError `too-many-devices`), with
   * its role at the relay (PROTOCOL §16.7; without one a new device gets the caller's role).
   */
  async enrolDevice(
    accountId: AccountId,
    deviceId: DeviceId,
    signingKey: Uint8Array,
    auth: RelayAuth,
    call?: CallOptions,
    role?: 'owner' | 'admin' | 'agent',
  ): Promise<number> {
    const what = 'enrol the device';
    const json = { signingKey: toBase64Url(signingKey), ...(role === undefined ? {} : { role }) };
    const body = await this.#http.json({ method: 'PUT', path: device(accountId, deviceId), what, auth, json }, call);
    return numberField(body, 'devices', what);
  }

  /** Removes a device: its key, bundle, prekeys and queue; its sockets close (4410). */
  async removeDevice(accountId: AccountId, deviceId: DeviceId, auth: RelayAuth, call?: CallOptions): Promise<void> {
    await this.#http.request(
      { method: 'DELETE', path: device(accountId, deviceId), what: 'remove the device', auth },
      call,
    );
  }

  /** Appends a signed list; ConflictError `version-conflict` (with `latest`) unless version = latest + 1. */
  async putDeviceList(
    accountId: AccountId,
    version: number,
    blob: Uint8Array,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<void> {
    await this.#http.request(
      {
        method: 'PUT',
        path: `${account(accountId)}/device-lists/${version}`,
        what: 'publish the device list',
        auth,
        bytes: blob,
      },
      call,
    );
  }

  async putBundle(
    accountId: AccountId,
    deviceId: DeviceId,
    bundle: Uint8Array,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<void> {
    await this.#http.request(
      {
        method: 'PUT',
        path: `${device(accountId, deviceId)}/bundle`,
        what: 'publish the prekey bundle',
        auth,
        bytes: bundle,
      },
      call,
    );
  }

  /** Uploads one-time prekeys; returns how many the device now holds (ConflictError `too-many-prekeys`). */
  async uploadOneTimePrekeys(
    accountId: AccountId,
    deviceId: DeviceId,
    prekeys: readonly Uint8Array[],
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<number> {
    const what = 'upload one-time prekeys';
    const body = await this.#http.json(
      {
        method: 'POST',
        path: `${device(accountId, deviceId)}/one-time-prekeys`,
        what,
        auth,
        json: { prekeys: prekeys.map((p) => toBase64Url(p)) },
      },
      call,
    );
    return numberField(body, 'count', what);
  }

  async putWidgetConfig(accountId: AccountId, config: Uint8Array, auth: RelayAuth, call?: CallOptions): Promise<void> {
    await this.#http.request(
      {
        method: 'PUT',
        path: `${account(accountId)}/widget-config`,
        what: 'publish the widget configuration',
        auth,
        bytes: config,
      },
      call,
    );
  }
}
