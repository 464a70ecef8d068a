/**
 * Provisioning the relay for the benchmark through its real HTTP API (docs/PROTOCOL.md §16,
 * relay/http/*): an account registered and logged in with OPAQUE (RFC 9807, via
 * @serenity-kit/opaque), devices enrolled with fresh Ed25519 keys (WebCrypto), and visitor
 * conversations opened with their capabilities. Nothing here is a shortcut into the database.
 */
import * as opaque from '@serenity-kit/opaque';
import {
  type AccountId,
  type ConversationId,
  type DeviceId,
  asAccountId,
  asConversationId,
  asDeviceId,
  idBytesFromHex,
  idToHex,
} from '../../shared/wire/index.js';
import { BenchError } from './bench-error.js';
import { OPAQUE_KEY_STRETCHING } from '../../shared/protocol/login-parameters.js';

export interface DeviceIdentity {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly signingKey: CryptoKey;
}

export interface VisitorTicket {
  readonly accountId: AccountId;
  readonly conversationId: ConversationId;
  readonly capability: Uint8Array;
}

export interface Account {
  readonly accountId: AccountId;
  readonly sessionToken: string;
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/**
 * fetch, again (twice at most) when a kept-alive socket turns out closed by the server before the
 * request was written: on a busy machine the client may reuse a socket just past the server's
 * keep-alive timeout. Any other failure, and any HTTP answer, is returned as it is.
 */
async function fetchRetrying(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
      if (attempt >= 3 || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) throw error;
    }
  }
}

async function postJson(url: string, body: unknown, token?: string, method = 'POST'): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const res = await fetchRetrying(url, { method, headers, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new BenchError(`${method} ${new URL(url).pathname} answered ${res.status}: ${text.slice(0, 200)}`);
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null)
    throw new BenchError(`${new URL(url).pathname} did not answer a JSON object`);
  return value as Record<string, unknown>;
}

function stringOf(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string') throw new BenchError(`relay answer lacks "${name}"`);
  return value;
}

/** Registers a fresh account with OPAQUE and logs in; returns the account session. */
export async function createAccount(origin: string): Promise<Account> {
  await opaque.ready;
  const idBytes = crypto.getRandomValues(new Uint8Array(12));
  const username = `bench-${b64url(idBytes)}`;
  const password = b64url(crypto.getRandomValues(new Uint8Array(24)));
  const reg = opaque.client.startRegistration({ password });
  const regStart = await postJson(`${origin}/v1/auth/register/start`, {
    username,
    registrationRequest: reg.registrationRequest,
  });
  const { registrationRecord } = opaque.client.finishRegistration({
    password,
    clientRegistrationState: reg.clientRegistrationState,
    registrationResponse: stringOf(regStart, 'registrationResponse'),
    keyStretching: OPAQUE_KEY_STRETCHING,
  });
  const regFinish = await postJson(`${origin}/v1/auth/register/finish`, { username, registrationRecord });
  const login = opaque.client.startLogin({ password });
  const loginStart = await postJson(`${origin}/v1/auth/login/start`, {
    username,
    startLoginRequest: login.startLoginRequest,
  });
  const finished = opaque.client.finishLogin({
    password,
    clientLoginState: login.clientLoginState,
    loginResponse: stringOf(loginStart, 'loginResponse'),
    keyStretching: OPAQUE_KEY_STRETCHING,
  });
  if (finished === undefined) throw new BenchError('OPAQUE login failed for a freshly registered account');
  const loginFinish = await postJson(`${origin}/v1/auth/login/finish`, {
    loginId: stringOf(loginStart, 'loginId'),
    finishLoginRequest: finished.finishLoginRequest,
  });
  const accountId = stringOf(regFinish, 'accountId');
  if (stringOf(loginFinish, 'accountId') !== accountId) throw new BenchError('login returned another account');
  return { accountId: asAccountId(idBytesFromHex(accountId)), sessionToken: stringOf(loginFinish, 'sessionToken') };
}

/** Generates an Ed25519 device key (RFC 8032, WebCrypto) and enrols its public half. */
export async function enrolDevice(origin: string, account: Account): Promise<DeviceIdentity> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const deviceId = asDeviceId(crypto.getRandomValues(new Uint8Array(16)));
  await postJson(
    `${origin}/v1/accounts/${idToHex(account.accountId)}/devices/${idToHex(deviceId)}`,
    { signingKey: b64url(publicKey) },
    account.sessionToken,
    'PUT',
  );
  return { accountId: account.accountId, deviceId, signingKey: pair.privateKey };
}

/** Opens a visitor conversation (no credentials); the capability is what the widget keeps. */
export async function openConversation(origin: string, accountId: AccountId): Promise<VisitorTicket> {
  const body = await postJson(`${origin}/v1/accounts/${idToHex(accountId)}/conversations`, {});
  const capability = new Uint8Array(Buffer.from(stringOf(body, 'capability'), 'base64url'));
  return { accountId, conversationId: asConversationId(idBytesFromHex(stringOf(body, 'conversationId'))), capability };
}
