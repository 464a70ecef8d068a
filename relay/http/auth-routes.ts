/**
 * Account registration and login with OPAQUE (RFC 9807), and device sessions by signature.
 * Messages of OPAQUE are the base64url strings of @serenity-kit/opaque. The password never
 * reaches the relay; the relay stores only the registration record.
 *
 *   POST /v1/auth/register/start  {username, registrationRequest}  -> {registrationResponse}
 *   POST /v1/auth/register/finish {username, registrationRecord}   -> {accountId}
 *   POST /v1/auth/login/start     {username, startLoginRequest}    -> {loginId, loginResponse}; 429 when throttled
 *   POST /v1/auth/login/finish    {loginId, finishLoginRequest}    -> {accountId, sessionToken, expiresAt}
 *   POST /v1/auth/device/challenge {accountId, deviceId}           -> {challenge}
 *   POST /v1/auth/device/session  {accountId, deviceId, challenge, signature} -> {sessionToken, expiresAt}
 */
import { asAccountId, asDeviceId, idBytesFromHex } from '../../shared/wire/index.js';
import type { RelayContext } from '../context.js';
import { HttpError } from '../errors.js';
import { verifyDeviceSignature } from '../auth/device-signature.js';
import { randomIdHex, randomSecret, sha256, toBase64Url } from '../auth/tokens.js';
import { bytesField, hexId, readJson, stringField } from './body.js';
import { addressKey, clientAddress } from './client-address.js';
import { sendJson } from './respond.js';
import { type Route, route } from './router.js';

const MAX_JSON = 8 * 1024;
const MAX_USERNAME = 256;
const MAX_OPAQUE_MESSAGE = 2048;

async function issueSession(
  ctx: RelayContext,
  accountId: string,
  deviceId: string | null,
): Promise<{ readonly answer: { sessionToken: string; expiresAt: number }; readonly tokenHash: Uint8Array }> {
  const token = randomSecret();
  const tokenHash = sha256(token);
  const expiresAt = ctx.now() + ctx.config.sessionTtlSeconds * 1000;
  await ctx.store.createSession(tokenHash, { accountId, deviceId, expiresAt });
  return { answer: { sessionToken: toBase64Url(token), expiresAt }, tokenHash };
}

function usernameTaken(): HttpError {
  return new HttpError(409, 'username-taken', 'this username is registered already; log in or pick another');
}

function opaqueFailure(): HttpError {
  return new HttpError(400, 'bad-request', 'the OPAQUE message does not parse; restart the flow from the client');
}

export const authRoutes: readonly Route[] = [
  route('POST', '/v1/auth/register/start', async ({ req, res, ctx }) => {
    const body = await readJson(req, MAX_JSON);
    const username = stringField(body, 'username', MAX_USERNAME);
    const request = stringField(body, 'registrationRequest', MAX_OPAQUE_MESSAGE);
    let registrationResponse: string;
    try {
      registrationResponse = ctx.opaque.registrationResponse(username, request);
    } catch {
      throw opaqueFailure();
    }
    sendJson(res, 200, { registrationResponse });
  }),

  route('POST', '/v1/auth/register/finish', async ({ req, res, ctx }) => {
    const body = await readJson(req, MAX_JSON);
    const username = stringField(body, 'username', MAX_USERNAME);
    const opaqueRecord = stringField(body, 'registrationRecord', MAX_OPAQUE_MESSAGE);
    // Issue #10 item 7: a budget per address, and only records a login can use.
    if (!ctx.abuse.registrations.take(addressKey(clientAddress(req, ctx.config.trustedProxies)), ctx.now())) {
      ctx.metrics.reject('registration-rate');
      throw new HttpError(
        429,
        'rate-limited',
        `at most ${ctx.config.registrationsPerAddressPerHour} registrations per hour from one address; try again later`,
      );
    }
    if ((await ctx.store.findAccountByUsername(username)) !== undefined) throw usernameTaken();
    if (!ctx.opaque.validRecord(username, opaqueRecord))
      throw new HttpError(
        400,
        'bad-registration-record',
        'the registration record is not an OPAQUE record of this relay (RFC 9807 §5.1.2, ristretto255); restart the registration',
      );
    const accountId = randomIdHex();
    if (!(await ctx.store.createAccount({ accountId, username, opaqueRecord }, ctx.now()))) throw usernameTaken();
    ctx.log.info('account.registered', { accountId });
    sendJson(res, 201, { accountId });
  }),

  route('POST', '/v1/auth/login/start', async ({ req, res, ctx }) => {
    const body = await readJson(req, MAX_JSON);
    const username = stringField(body, 'username', MAX_USERNAME);
    const request = stringField(body, 'startLoginRequest', MAX_OPAQUE_MESSAGE);
    // Each start is one password guess (auth/login-throttle.ts).
    if (!ctx.loginThrottle.take(username, addressKey(clientAddress(req, ctx.config.trustedProxies)), ctx.now())) {
      ctx.metrics.reject('login-throttled');
      throw new HttpError(
        429,
        'rate-limited',
        'too many login attempts for this username or from this address; try again later (at most an hour)',
      );
    }
    const account = await ctx.store.findAccountByUsername(username);
    try {
      sendJson(res, 200, await ctx.opaque.startLogin(username, account, request, ctx.now()));
    } catch {
      throw opaqueFailure();
    }
  }),

  route('POST', '/v1/auth/login/finish', async ({ req, res, ctx }) => {
    const body = await readJson(req, MAX_JSON);
    const loginId = stringField(body, 'loginId', 64);
    const finish = stringField(body, 'finishLoginRequest', MAX_OPAQUE_MESSAGE);
    const done = await ctx.opaque.finishLogin(loginId, finish, ctx.now());
    if (done === undefined) {
      ctx.metrics.reject('login-failed');
      throw new HttpError(401, 'login-failed', 'wrong username or password, or the login took longer than a minute');
    }
    ctx.log.info('account.login', { accountId: done.accountId });
    sendJson(res, 200, { accountId: done.accountId, ...(await issueSession(ctx, done.accountId, null)).answer });
  }),

  route('POST', '/v1/auth/device/challenge', async ({ req, res, ctx }) => {
    const body = await readJson(req, MAX_JSON);
    const accountId = hexId(body['accountId'], 'accountId');
    const deviceId = hexId(body['deviceId'], 'deviceId');
    // Issue #10 item 8: a budget per address and per device, and nothing kept for a device that is
    // not enrolled (it could not sign in anyway; device ids are public in the key directory). The
    // answer looks the same either way. Pending challenges are never evicted (auth/challenges.ts).
    const now = ctx.now();
    if (!ctx.abuse.challengesByAddress.take(addressKey(clientAddress(req, ctx.config.trustedProxies)), now)) {
      ctx.metrics.reject('challenge-rate');
      throw new HttpError(
        429,
        'rate-limited',
        `at most ${ctx.config.challengesPerAddressPerMinute} device challenges per minute from one address`,
      );
    }
    const owner = `${accountId}:${deviceId}`;
    if (!ctx.abuse.challengesByDevice.take(owner, now)) {
      ctx.metrics.reject('challenge-rate');
      throw new HttpError(
        429,
        'rate-limited',
        `at most ${ctx.config.challengesPerDevicePerMinute} challenges per minute for one device; sign in with the last one`,
      );
    }
    const enrolled = (await ctx.store.getDeviceRole(accountId, deviceId)) !== undefined;
    const challenge = enrolled ? await ctx.challenges.issue(owner, now) : randomSecret();
    if (challenge === undefined) {
      ctx.metrics.reject('challenges-full');
      throw new HttpError(503, 'busy', 'too many sign-in challenges are pending; retry in a minute');
    }
    sendJson(res, 200, { challenge: toBase64Url(challenge) });
  }),

  route('POST', '/v1/auth/device/session', async ({ req, res, ctx }) => {
    const body = await readJson(req, MAX_JSON);
    const accountId = hexId(body['accountId'], 'accountId');
    const deviceId = hexId(body['deviceId'], 'deviceId');
    const challenge = bytesField(body, 'challenge', { exact: 32 });
    const signature = bytesField(body, 'signature', { exact: 64 });
    const fresh = await ctx.challenges.consume(challenge, `${accountId}:${deviceId}`, ctx.now());
    const key = await ctx.store.getDeviceKey(accountId, deviceId);
    const ok =
      key !== undefined &&
      fresh &&
      (await verifyDeviceSignature(
        key,
        signature,
        challenge,
        asAccountId(idBytesFromHex(accountId)),
        asDeviceId(idBytesFromHex(deviceId)),
      ));
    if (!ok) {
      ctx.metrics.reject('device-auth-failed');
      throw new HttpError(
        401,
        'device-auth-failed',
        'unknown device, stale challenge or bad signature; request a new challenge',
      );
    }
    const issued = await issueSession(ctx, accountId, deviceId);
    // A re-key committed between the check above and the session's insert did not revoke it
    // (issue #10 item 2): end it and answer as for a stale key.
    const current = await ctx.store.getDeviceKey(accountId, deviceId);
    if (current === undefined || !Buffer.from(current).equals(Buffer.from(key))) {
      await ctx.store.deleteSession(issued.tokenHash);
      ctx.metrics.reject('device-auth-failed');
      throw new HttpError(
        401,
        'device-auth-failed',
        'the device key changed while signing in; request a new challenge',
      );
    }
    sendJson(res, 200, issued.answer);
  }),
];
