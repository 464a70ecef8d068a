/**
 * The inbox archive over HTTP (PROTOCOL §9, relay/http/archive-routes.ts): sealed archive-key
 * grants addressed to one device, and the account's history records, each paged by the relay's
 * cursor. The blobs are opaque here; shared/protocol/archive checks every one before use, and a
 * relay that withholds rows only makes the history shorter (availability, not integrity).
 */
import { fromHex, toHex } from '../../crypto/index.js';
import { type AccountId, type DeviceId, idToHex } from '../../wire/index.js';
import { BadResponseError } from '../relay-errors.js';
import type { CallOptions, RelayAuth, RelayRequester } from './relay-request.js';
import { bytesOf, deviceIdField, numberField, stringField } from './response-fields.js';

export interface ArchiveGrantBlob {
  readonly seq: number;
  readonly grant: Uint8Array;
}

export interface HistoryRecordBlob {
  readonly seq: number;
  /** The author the relay filed the record under (the record itself names its author: check that). */
  readonly author: DeviceId;
  readonly recordId: Uint8Array;
  readonly record: Uint8Array;
}

/** A page of at most 64 rows and about 512 KiB of blobs, base64url in JSON. */
const MAX_PAGE_ANSWER = 4 * 1024 * 1024;
const MAX_RECORD_ID_HEX = 128;

const account = (a: AccountId): string => `/v1/accounts/${idToHex(a)}`;

function entries(body: Readonly<Record<string, unknown>>, name: string, what: string) {
  const list = body[name];
  if (!Array.isArray(list)) throw new BadResponseError(`${what}: the relay's answer lacks "${name}"`);
  return list.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw new BadResponseError(`${what}: an entry is not an object`);
    return entry as Readonly<Record<string, unknown>>;
  });
}

function hexBytes(text: string, name: string, what: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})+$/.test(text)) throw new BadResponseError(`${what}: "${name}" is not hex`);
  return fromHex(text);
}

export class ArchiveApi {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    this.#http = http;
  }

  /**
   * Leaves a sealed grant for `deviceId` (NotFoundError: not enrolled; ConflictError
   * `too-many-grants`). With `notify`, the relay nudges that device if connected (PROTOCOL §16.11).
   */
  async putGrant(
    accountId: AccountId,
    deviceId: DeviceId,
    grant: Uint8Array,
    auth: RelayAuth,
    call?: CallOptions,
    notify = false,
  ): Promise<void> {
    await this.#http.request(
      {
        method: 'POST',
        path: `${account(accountId)}/devices/${idToHex(deviceId)}/archive-grants${notify ? '?notify=1' : ''}`,
        what: 'leave an archive-key grant',
        bytes: grant,
        auth,
      },
      call,
    );
  }

  /** This device's grants after the cursor `after`, oldest first (one page). */
  async grants(
    accountId: AccountId,
    deviceId: DeviceId,
    after: number,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<ArchiveGrantBlob[]> {
    const what = 'fetch archive-key grants';
    const body = await this.#http.json(
      {
        method: 'GET',
        path: `${account(accountId)}/devices/${idToHex(deviceId)}/archive-grants/after/${after}`,
        what,
        auth,
        maxResponseBytes: MAX_PAGE_ANSWER,
      },
      call,
    );
    return entries(body, 'grants', what).map((e) => ({
      seq: numberField(e, 'seq', what),
      grant: bytesOf(e['grant'], 'grant', what),
    }));
  }

  /**
   * Stores one record this device authored (ConflictError `record-taken` or `archive-full`). With
   * `notify`, the relay nudges the account's other connected devices (PROTOCOL §16.11).
   */
  async putRecord(
    accountId: AccountId,
    author: DeviceId,
    recordId: Uint8Array,
    record: Uint8Array,
    auth: RelayAuth,
    call?: CallOptions,
    notify = false,
  ): Promise<void> {
    await this.#http.request(
      {
        method: 'PUT',
        path: `${account(accountId)}/history/${idToHex(author)}/${toHex(recordId)}${notify ? '?notify=1' : ''}`,
        what: 'store a history record',
        bytes: record,
        auth,
      },
      call,
    );
  }

  /** The account's records after the cursor `after`, oldest first (one page). */
  async records(
    accountId: AccountId,
    after: number,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<HistoryRecordBlob[]> {
    const what = 'fetch history records';
    const body = await this.#http.json(
      {
        method: 'GET',
        path: `${account(accountId)}/history/after/${after}`,
        what,
        auth,
        maxResponseBytes: MAX_PAGE_ANSWER,
      },
      call,
    );
    return entries(body, 'records', what).map((e) => ({
      seq: numberField(e, 'seq', what),
      author: deviceIdField(e, 'author', what),
      recordId: hexBytes(stringField(e, 'recordId', what, MAX_RECORD_ID_HEX), 'recordId', what),
      record: bytesOf(e['record'], 'record', what),
    }));
  }
}
