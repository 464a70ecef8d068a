/**
 * The inbox archive at the relay (PROTOCOL §9): sealed archive-key grants waiting for one device,
 * and the account's history records. Both are opaque to the relay; clients check every byte
 * (AIK-signed epoch keys in a sealed box signed by a listed device; records signed by their author).
 *
 *   POST /v1/accounts/:a/devices/:d/archive-grants[?notify=1]      raw sealed box -> 201; 404 no such device
 *        (notify=1: device d's connections get a `nudge` frame, so it reads the grant at once, §16.11)
 *   GET  /v1/accounts/:a/devices/:d/archive-grants/after/:seq      {grants: [{seq, grant}]}  (device d only)
 *   PUT  /v1/accounts/:a/history/:author/:recordIdHex[?notify=1]   raw record -> 201; 409 record-taken | archive-full
 *        (notify=1: the account's other connected devices get a `nudge` frame, §16.11)
 *   GET  /v1/accounts/:a/history/after/:seq                        {records: [{seq, author, recordId, record}]}
 *
 * Every route needs a session of the account. A record is accepted only from the device it names
 * as its author (bytes 22..38 of the record, §9.2): the relay keys records by (author, record id),
 * write-once, so a device cannot fill another device's slot. Grants to a removed device are
 * dropped with it, and none can be added for a device that is not enrolled. Answers are paged by
 * cursor (at most 64 rows and about 512 KiB of blobs each).
 */
import type { Caller } from '../auth/roles.js';
import { toBase64Url } from '../auth/tokens.js';
import { HttpError } from '../errors.js';
import { requireAccount } from './access.js';
import { readBytes } from './body.js';
import { sendJson } from './respond.js';
import { ID, type Route, param, route } from './router.js';

const SEQ = '([0-9]{1,15})';
/** A record id of 1..64 bytes, in hex (PROTOCOL §9.2, §14.3). */
const RECORD_ID = '((?:[0-9a-f]{2}){1,64})';
/** A sealed box carries at most 16,384 + 16 bytes of ciphertext plus its header and signature. */
const MAX_GRANT_BYTES = 32 * 1024;
/** Grants waiting for one device (linking hands over at most 4,096 keys, 128 per grant: 32 grants). */
export const MAX_GRANTS_PER_DEVICE = 1024;
const PAGE_ROWS = 64;
const PAGE_BYTES = 512 * 1024;
/** Where a history record names its author: u8 version | u8 suite | u32 epoch | keyId[16] | author[16]. */
const AUTHOR_AT = 22;
const ID_BYTES = 16;

/**
 * A session of the account acting for `deviceId`: that device's own session, or a password login
 * (it counts as owner and could enrol a device of its own anyway, §16.7).
 */
function actsFor(caller: Caller, deviceId: string): boolean {
  return caller.deviceId === null || caller.deviceId === deviceId;
}

function cursor(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new HttpError(400, 'bad-request', 'the cursor is not a safe integer');
  return value;
}

/** Keeps rows up to about PAGE_BYTES of blobs, at least one. */
function page<T extends { readonly blob: Uint8Array }>(rows: readonly T[]): T[] {
  const out: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (out.length > 0 && bytes + row.blob.length > PAGE_BYTES) break;
    out.push(row);
    bytes += row.blob.length;
  }
  return out;
}

/** §16.11: `?notify=1` on a history or grant write asks the relay for a nudge. */
function asksForNudge(target: string | undefined): boolean {
  try {
    return new URL(target ?? '/', 'http://relay.invalid').searchParams.get('notify') === '1';
  } catch {
    return false;
  }
}

function recordAuthor(record: Uint8Array): string {
  if (record.length < AUTHOR_AT + ID_BYTES) throw new HttpError(400, 'bad-request', 'the history record is too short');
  return Buffer.from(record.subarray(AUTHOR_AT, AUTHOR_AT + ID_BYTES)).toString('hex');
}

export const archiveRoutes: readonly Route[] = [
  route('POST', `/v1/accounts/${ID}/devices/${ID}/archive-grants`, async ({ req, res, ctx, params }) => {
    const [accountId, deviceId] = [param(params, 0), param(params, 1)];
    await requireAccount(ctx, req, accountId);
    const grant = await readBytes(req, MAX_GRANT_BYTES);
    if (grant.length === 0) throw new HttpError(400, 'bad-request', 'the grant must not be empty');
    if ((await ctx.store.getDeviceRole(accountId, deviceId)) === undefined)
      throw new HttpError(404, 'not-found', 'no such device (it may have been removed)');
    const result = await ctx.store.putArchiveGrant(accountId, deviceId, grant, MAX_GRANTS_PER_DEVICE, ctx.now());
    if (!result.ok)
      throw new HttpError(409, 'too-many-grants', `the device has ${result.count} grants waiting already`);
    if (asksForNudge(req.url)) ctx.hub.nudgeDevice(accountId, deviceId);
    sendJson(res, 201, { stored: true });
  }),

  route('GET', `/v1/accounts/${ID}/devices/${ID}/archive-grants/after/${SEQ}`, async ({ req, res, ctx, params }) => {
    const [accountId, deviceId] = [param(params, 0), param(params, 1)];
    if (!actsFor(await requireAccount(ctx, req, accountId), deviceId))
      throw new HttpError(403, 'forbidden', 'only the device itself fetches the grants addressed to it');
    const rows = page(await ctx.store.archiveGrants(accountId, deviceId, cursor(param(params, 2)), PAGE_ROWS));
    sendJson(res, 200, { grants: rows.map((r) => ({ seq: r.seq, grant: toBase64Url(r.blob) })) });
  }),

  route('PUT', `/v1/accounts/${ID}/history/${ID}/${RECORD_ID}`, async ({ req, res, ctx, params }) => {
    const [accountId, author, recordId] = [param(params, 0), param(params, 1), param(params, 2)];
    if (!actsFor(await requireAccount(ctx, req, accountId), author))
      throw new HttpError(403, 'forbidden', 'a device writes history records under its own id only (§9.2)');
    const record = await readBytes(req, ctx.config.maxBlobBytes);
    if (recordAuthor(record) !== author)
      throw new HttpError(400, 'bad-record-author', 'the record names another author than the one writing it');
    const result = await ctx.store.putHistoryRecord(
      accountId,
      author,
      recordId,
      record,
      ctx.config.maxHistoryRecords,
      ctx.now(),
    );
    if (result === 'taken') throw new HttpError(409, 'record-taken', 'this device wrote this record id already');
    if (result === 'full') throw new HttpError(409, 'archive-full', 'the account keeps no more history records');
    if (asksForNudge(req.url)) ctx.hub.nudgeAccount(accountId, author);
    sendJson(res, 201, { stored: true });
  }),

  route('GET', `/v1/accounts/${ID}/history/after/${SEQ}`, async ({ req, res, ctx, params }) => {
    const accountId = param(params, 0);
    await requireAccount(ctx, req, accountId);
    const rows = page(await ctx.store.historyRecords(accountId, cursor(param(params, 1)), PAGE_ROWS));
    sendJson(res, 200, {
      records: rows.map((r) => ({ seq: r.seq, author: r.author, recordId: r.recordId, record: toBase64Url(r.blob) })),
    });
  }),
];
