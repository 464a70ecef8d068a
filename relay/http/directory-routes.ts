/**
 * The key directory: opaque signed blobs the relay stores and serves but cannot check (clients
 * verify signatures and the hash chain; docs/PROTOCOL.md §4). Writes need a session of the
 * account; reads are public so a visitor needs no credentials.
 *
 *   PUT    /v1/accounts/:a/devices/:d                    {signingKey}  enrol a device key (relay access control)
 *   DELETE /v1/accounts/:a/devices/:d                                  remove it, its bundle, prekeys and queue
 *   PUT    /v1/accounts/:a/device-lists/:version         raw blob; version must be latest + 1
 *   GET    /v1/accounts/:a/device-lists/latest|:version  raw blob, header sealdesk-version
 *   PUT    /v1/accounts/:a/devices/:d/bundle             raw blob (signed prekey bundle)
 *   GET    /v1/accounts/:a/bundles                       {bundles: [{deviceId, bundle}]}
 *   POST   /v1/accounts/:a/devices/:d/one-time-prekeys   {prekeys: [base64url]}
 *   POST   /v1/accounts/:a/devices/:d/one-time-prekeys/claim  {prekey} or 404 none-left
 *   PUT|GET /v1/accounts/:a/widget-config                raw blob
 */
import type { RelayContext } from '../context.js';
import { HttpError } from '../errors.js';
import { ED25519_PUBLIC_KEY_BYTES } from '../auth/device-signature.js';
import { fromBase64Url, toBase64Url } from '../auth/tokens.js';
import { mayManageDevice, mayPublishDeviceList, mayPublishWidgetConfig } from '../auth/roles.js';
import { DEVICE_ROLES, type DeviceRole } from '../store/store.js';
import { requireAccount, requireRole } from './access.js';
import { addressKey, clientAddress } from './client-address.js';
import { bytesField, readBytes, readJson } from './body.js';
import { sendBytes, sendJson } from './respond.js';
import { ID, type Route, param, route } from './router.js';

const MAX_PREKEY_BYTES = 1024;
/** A JSON upload of one-time prekeys (base64url) may be up to 1 MiB. */
const MAX_PREKEY_UPLOAD = 1024 * 1024;

async function nonEmptyBlob(ctx: RelayContext, req: Parameters<typeof readBytes>[0]): Promise<Uint8Array> {
  const blob = await readBytes(req, ctx.config.maxBlobBytes);
  if (blob.length === 0) throw new HttpError(400, 'bad-request', 'the body must not be empty');
  return blob;
}

/** The optional "role" of an enrolment: owner | admin | agent. */
function roleField(body: Record<string, unknown>): DeviceRole | undefined {
  const value = body['role'];
  if (value === undefined) return undefined;
  const role = DEVICE_ROLES.find((r) => r === value);
  if (role === undefined) throw new HttpError(400, 'bad-request', `"role" must be one of ${DEVICE_ROLES.join(', ')}`);
  return role;
}

/** A session allowed to change the enrolled device `deviceId` (its bundle, its prekeys). */
async function requireDeviceManager(
  ctx: RelayContext,
  req: Parameters<typeof readBytes>[0],
  accountId: string,
  deviceId: string,
  what: string,
): Promise<void> {
  const caller = await requireAccount(ctx, req, accountId);
  const currentRole = await ctx.store.getDeviceRole(accountId, deviceId);
  if (currentRole === undefined) throw new HttpError(404, 'not-found', 'no such device; enrol it first');
  requireRole(caller, mayManageDevice(caller, { deviceId, currentRole }), what);
}

export const directoryRoutes: readonly Route[] = [
  route('PUT', `/v1/accounts/${ID}/devices/${ID}`, async ({ req, res, ctx, params }) => {
    const [accountId, deviceId] = [param(params, 0), param(params, 1)];
    const caller = await requireAccount(ctx, req, accountId);
    const body = await readJson(req, 1024);
    const signingKey = bytesField(body, 'signingKey', { exact: ED25519_PUBLIC_KEY_BYTES });
    const currentRole = await ctx.store.getDeviceRole(accountId, deviceId);
    const asked = roleField(body);
    requireRole(
      caller,
      mayManageDevice(caller, { deviceId, currentRole, newRole: asked }),
      'enrol or re-key this device',
    );
    // Without a role the device keeps its own, and a new device gets the caller's (§16.7).
    const role = asked ?? currentRole ?? caller.role;
    const oldKey = await ctx.store.getDeviceKey(accountId, deviceId);
    const result = await ctx.store.putDevice(accountId, deviceId, signingKey, ctx.config.maxDevicesPerAccount, role);
    if (!result.ok)
      throw new HttpError(
        409,
        'too-many-devices',
        `an account may enrol at most ${ctx.config.maxDevicesPerAccount} devices; remove one first`,
      );
    // A new key: the store has revoked the old key's sessions; its sockets close here (#10 item 2).
    if (oldKey !== undefined && !Buffer.from(oldKey).equals(Buffer.from(signingKey))) {
      ctx.hub.disconnectDevice(accountId, deviceId, 'rekeyed');
      ctx.log.info('device.rekeyed', { accountId, deviceId });
    }
    ctx.log.info('device.enrolled', { accountId, deviceId, role, devices: result.count });
    sendJson(res, 200, { devices: result.count, role });
  }),

  route('DELETE', `/v1/accounts/${ID}/devices/${ID}`, async ({ req, res, ctx, params }) => {
    const [accountId, deviceId] = [param(params, 0), param(params, 1)];
    const caller = await requireAccount(ctx, req, accountId);
    const currentRole = await ctx.store.getDeviceRole(accountId, deviceId);
    if (currentRole === undefined) throw new HttpError(404, 'not-found', 'no such device');
    requireRole(caller, mayManageDevice(caller, { deviceId, currentRole }), 'remove this device');
    // The store revokes the device's sessions with it; its sockets close here (#10 item 1).
    if (!(await ctx.store.deleteDevice(accountId, deviceId))) throw new HttpError(404, 'not-found', 'no such device');
    ctx.hub.disconnectDevice(accountId, deviceId);
    ctx.log.info('device.removed', { accountId, deviceId });
    sendJson(res, 200, { removed: true });
  }),

  route('PUT', `/v1/accounts/${ID}/device-lists/(\\d{1,9})`, async ({ req, res, ctx, params }) => {
    const accountId = param(params, 0);
    const version = Number(param(params, 1));
    const caller = await requireAccount(ctx, req, accountId);
    requireRole(caller, mayPublishDeviceList(caller), 'publish device lists (only owner devices hold the account key)');
    const blob = await nonEmptyBlob(ctx, req);
    // Append-only chain: the relay checks the caller (an enrolled owner device, or the password
    // session) and that the version is the next one; clients verify signatures and hashes
    // themselves (docs/PROTOCOL.md §4, §16.7) and never rely on these checks.
    const result = await ctx.store.appendDeviceList(accountId, version, blob, ctx.now());
    if (!result.ok) {
      throw new HttpError(409, 'version-conflict', `the next device list version is ${result.latest + 1}`, {
        latest: result.latest,
      });
    }
    ctx.log.info('device-list.appended', { accountId, version, bytes: blob.length });
    sendJson(res, 201, { version });
  }),

  route('GET', `/v1/accounts/${ID}/device-lists/(latest|\\d{1,9})`, async ({ res, ctx, params }) => {
    const which = param(params, 1);
    const list = await ctx.store.getDeviceList(param(params, 0), which === 'latest' ? undefined : Number(which));
    if (list === undefined) throw new HttpError(404, 'not-found', 'no device list with that version');
    sendBytes(res, 200, list.blob, { 'sealdesk-version': String(list.version) });
  }),

  route('PUT', `/v1/accounts/${ID}/devices/${ID}/bundle`, async ({ req, res, ctx, params }) => {
    const [accountId, deviceId] = [param(params, 0), param(params, 1)];
    await requireDeviceManager(ctx, req, accountId, deviceId, "upload this device's prekey bundle");
    await ctx.store.putBundle(accountId, deviceId, await nonEmptyBlob(ctx, req), ctx.now());
    sendJson(res, 200, { stored: true });
  }),

  route('GET', `/v1/accounts/${ID}/bundles`, async ({ res, ctx, params }) => {
    const bundles = await ctx.store.getBundles(param(params, 0));
    sendJson(res, 200, { bundles: bundles.map((b) => ({ deviceId: b.deviceId, bundle: toBase64Url(b.blob) })) });
  }),

  route('POST', `/v1/accounts/${ID}/devices/${ID}/one-time-prekeys`, async ({ req, res, ctx, params }) => {
    const [accountId, deviceId] = [param(params, 0), param(params, 1)];
    await requireDeviceManager(ctx, req, accountId, deviceId, "upload this device's one-time prekeys");
    const body = await readJson(req, MAX_PREKEY_UPLOAD);
    const list = body['prekeys'];
    const prekeys = Array.isArray(list) ? list.map((p) => (typeof p === 'string' ? fromBase64Url(p) : undefined)) : [];
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      prekeys.some((p) => p === undefined || p.length === 0 || p.length > MAX_PREKEY_BYTES)
    ) {
      throw new HttpError(
        400,
        'bad-request',
        `"prekeys" must be a non-empty array of base64url blobs of 1..${MAX_PREKEY_BYTES} bytes`,
      );
    }
    const blobs = prekeys.filter((p): p is Uint8Array => p !== undefined);
    const result = await ctx.store.addOneTimePrekeys(accountId, deviceId, blobs, ctx.config.maxOneTimePrekeysPerDevice);
    if (!result.ok) {
      throw new HttpError(
        409,
        'too-many-prekeys',
        `a device may hold at most ${ctx.config.maxOneTimePrekeysPerDevice} one-time prekeys (it has ${result.count})`,
      );
    }
    sendJson(res, 200, { count: result.count });
  }),

  route('POST', `/v1/accounts/${ID}/devices/${ID}/one-time-prekeys/claim`, async ({ req, res, ctx, params }) => {
    const [accountId, deviceId] = [param(params, 0), param(params, 1)];
    // X3DH §4 (issue #10 item 4): one address may not drain a device; a device is drained no
    // faster than its runtime tops it up. Past the device's budget a visitor gets none-left and
    // uses the signed prekey alone, as when the device has run out.
    const address = addressKey(clientAddress(req, ctx.config.trustedProxies));
    if (!ctx.abuse.prekeyClaimsByAddress.take(address, ctx.now())) {
      ctx.metrics.reject('prekey-claims-address');
      throw new HttpError(
        429,
        'rate-limited',
        `at most ${ctx.config.prekeyClaimsPerAddressPerHour} one-time prekey claims per hour from one address`,
      );
    }
    if (!ctx.abuse.prekeyClaimsByDevice.take(`${accountId}:${deviceId}`, ctx.now())) {
      ctx.metrics.reject('prekey-claims-device');
      throw new HttpError(404, 'none-left', 'claims of this device are rate-limited now; use the signed prekey alone', {
        limited: 'device',
      });
    }
    const prekey = await ctx.store.claimOneTimePrekey(accountId, deviceId);
    if (prekey === undefined)
      throw new HttpError(404, 'none-left', 'this device has no one-time prekey left; use the signed prekey alone');
    sendJson(res, 200, { prekey: toBase64Url(prekey) });
  }),

  route('PUT', `/v1/accounts/${ID}/widget-config`, async ({ req, res, ctx, params }) => {
    const accountId = param(params, 0);
    const caller = await requireAccount(ctx, req, accountId);
    requireRole(caller, mayPublishWidgetConfig(caller), 'publish the widget configuration');
    await ctx.store.putWidgetConfig(accountId, await nonEmptyBlob(ctx, req), ctx.now());
    sendJson(res, 200, { stored: true });
  }),

  route('GET', `/v1/accounts/${ID}/widget-config`, async ({ res, ctx, params }) => {
    const blob = await ctx.store.getWidgetConfig(param(params, 0));
    if (blob === undefined) throw new HttpError(404, 'not-found', 'this account has published no widget configuration');
    sendBytes(res, 200, blob);
  }),
];
