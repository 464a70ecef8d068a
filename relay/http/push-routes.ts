/**
 * Web Push subscriptions (issue #15 item 4; PROTOCOL §16.9):
 *
 *   GET    /v1/push/vapid-public-key                       -> {publicKey} (base64url); 404 push-disabled
 *   PUT    /v1/accounts/:a/devices/:d/push-subscription    {endpoint, keys: {p256dh, auth}} -> {stored}
 *   GET    /v1/accounts/:a/devices/:d/push-subscription    -> {endpoint}; 404 not-found
 *   DELETE /v1/accounts/:a/devices/:d/push-subscription    -> {deleted}
 *
 * Only the device itself (a device session of that device, §16.5) reads or changes its
 * subscription: not another device of the account, not a password session, not another account.
 */
import type { IncomingMessage } from 'node:http';
import { ECDH } from 'node:crypto';
import type { RelayContext } from '../context.js';
import { HttpError } from '../errors.js';
import type { PushWaker } from '../push/push-waker.js';
import { checkPushEndpoint, refuseInternalEndpoint } from '../push/push-endpoint.js';
import type { PushSubscriptionRecord } from '../store/store.js';
import { requireAccount } from './access.js';
import { bytesField, type JsonObject, readJson } from './body.js';
import { sendJson } from './respond.js';
import { ID, param, route, type Route } from './router.js';

const MAX_BODY_BYTES = 4 * 1024;
const SUBSCRIPTION = `/v1/accounts/${ID}/devices/${ID}/push-subscription`;

function enabled(ctx: RelayContext): PushWaker {
  if (ctx.push === undefined)
    throw new HttpError(404, 'push-disabled', 'this relay sends no Web Push (docs/OPERATIONS.md, "Web Push")');
  return ctx.push;
}

/** The path's device, if the caller is a device session of exactly that device; else 401/403. */
async function requireOwnDevice(
  ctx: RelayContext,
  req: IncomingMessage,
  params: readonly string[],
): Promise<{ accountId: string; deviceId: string }> {
  const accountId = param(params, 0);
  const deviceId = param(params, 1);
  const caller = await requireAccount(ctx, req, accountId);
  if (caller.deviceId !== deviceId)
    throw new HttpError(
      403,
      'not-this-device',
      'only the device itself may read or change its push subscription: authenticate as that device',
    );
  return { accountId, deviceId };
}

/** RFC 8291 §3: the subscription's P-256 key (a point on the curve, uncompressed) and 16-byte secret. */
function subscriptionKeys(body: JsonObject): { p256dh: Uint8Array; auth: Uint8Array } {
  const keys = body['keys'];
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys))
    throw new HttpError(400, 'bad-request', '"keys" must be an object {p256dh, auth}');
  const fields = keys as JsonObject;
  const p256dh = bytesField(fields, 'p256dh', { exact: 65 });
  const auth = bytesField(fields, 'auth', { exact: 16 });
  try {
    ECDH.convertKey(p256dh, 'prime256v1', undefined, undefined, 'uncompressed');
  } catch {
    throw new HttpError(400, 'bad-request', '"p256dh" must be an uncompressed point on P-256');
  }
  if (p256dh[0] !== 0x04) throw new HttpError(400, 'bad-request', '"p256dh" must be an uncompressed point on P-256');
  return { p256dh, auth };
}

export const pushRoutes: readonly Route[] = [
  route('GET', '/v1/push/vapid-public-key', ({ res, ctx }) => {
    sendJson(res, 200, { publicKey: enabled(ctx).publicKey });
    return Promise.resolve();
  }),

  route('PUT', SUBSCRIPTION, async ({ req, res, ctx, params }) => {
    const push = enabled(ctx);
    const { accountId, deviceId } = await requireOwnDevice(ctx, req, params);
    const body = await readJson(req, MAX_BODY_BYTES);
    const endpoint = checkPushEndpoint(body['endpoint'], ctx.config.push.allowLoopbackHttp);
    const subscription: PushSubscriptionRecord = { endpoint, ...subscriptionKeys(body) };
    await refuseInternalEndpoint(endpoint, ctx.config.push.allowLoopbackHttp);
    await ctx.store.putPushSubscription(accountId, deviceId, subscription, ctx.now());
    push.forget(accountId, deviceId);
    sendJson(res, 200, { stored: true });
  }),

  route('GET', SUBSCRIPTION, async ({ req, res, ctx, params }) => {
    enabled(ctx);
    const { accountId, deviceId } = await requireOwnDevice(ctx, req, params);
    const subscription = await ctx.store.getPushSubscription(accountId, deviceId);
    if (subscription === undefined) throw new HttpError(404, 'not-found', 'this device has no push subscription');
    sendJson(res, 200, { endpoint: subscription.endpoint });
  }),

  route('DELETE', SUBSCRIPTION, async ({ req, res, ctx, params }) => {
    const push = enabled(ctx);
    const { accountId, deviceId } = await requireOwnDevice(ctx, req, params);
    const deleted = await ctx.store.deletePushSubscription(accountId, deviceId);
    push.forget(accountId, deviceId);
    sendJson(res, 200, { deleted });
  }),
];
