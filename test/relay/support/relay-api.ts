/**
 * Test helpers that speak the relay's HTTP API like a real client: OPAQUE registration and login
 * (client side with @serenity-kit/opaque), device enrolment with a WebCrypto Ed25519 key, and
 * device/visitor WebSocket sessions.
 */
import * as opaque from '@serenity-kit/opaque';
import {
  type AccountId,
  type DeviceId,
  asAccountId,
  asCiphertext,
  asConversationId,
  asDeviceId,
  deviceAuthMessage,
  encodeEnvelope,
  idBytesFromHex,
  type Recipient,
} from '../../../shared/wire/index.js';
import { TestClient } from './ws-client.js';
import { OPAQUE_KEY_STRETCHING } from '../../../shared/protocol/index.js';

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
export const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));

export async function http(
  origin: string,
  method: string,
  path: string,
  options: { json?: unknown; body?: Uint8Array; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: Record<string, unknown>; bytes: Uint8Array; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    body = new Uint8Array(options.body);
  }
  const res = await fetch(`${origin}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  let json: Record<string, unknown> = {};
  if (res.headers.get('content-type')?.startsWith('application/json') === true)
    json = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  return { status: res.status, json, bytes, headers: res.headers };
}

export interface Account {
  readonly accountId: string;
  readonly token: string;
  readonly username: string;
}

export async function register(origin: string, username: string, password: string): Promise<string> {
  await opaque.ready;
  const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password });
  const start = await http(origin, 'POST', '/v1/auth/register/start', { json: { username, registrationRequest } });
  if (start.status !== 200) throw new Error(`register/start ${start.status}`);
  const { registrationRecord } = opaque.client.finishRegistration({
    clientRegistrationState,
    registrationResponse: String(start.json['registrationResponse']),
    password,
    keyStretching: OPAQUE_KEY_STRETCHING,
  });
  const finish = await http(origin, 'POST', '/v1/auth/register/finish', { json: { username, registrationRecord } });
  if (finish.status !== 201) throw new Error(`register/finish ${finish.status}`);
  return String(finish.json['accountId']);
}

/** OPAQUE login; undefined when the client-side finish fails (wrong password). */
export async function login(origin: string, username: string, password: string): Promise<Account | undefined> {
  await opaque.ready;
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password });
  const start = await http(origin, 'POST', '/v1/auth/login/start', { json: { username, startLoginRequest } });
  if (start.status !== 200) throw new Error(`login/start ${start.status}`);
  const result = opaque.client.finishLogin({
    clientLoginState,
    loginResponse: String(start.json['loginResponse']),
    password,
    keyStretching: OPAQUE_KEY_STRETCHING,
  });
  if (result === undefined) return undefined;
  const finish = await http(origin, 'POST', '/v1/auth/login/finish', {
    json: { loginId: start.json['loginId'], finishLoginRequest: result.finishLoginRequest },
  });
  if (finish.status !== 200) throw new Error(`login/finish ${finish.status}`);
  return { accountId: String(finish.json['accountId']), token: String(finish.json['sessionToken']), username };
}

export async function registerAndLogin(
  origin: string,
  username: string,
  password = 'correct horse battery staple',
): Promise<Account> {
  await register(origin, username, password);
  const account = await login(origin, username, password);
  if (account === undefined) throw new Error('login failed');
  return account;
}

export const bearer = (account: Account): Record<string, string> => ({ authorization: `Bearer ${account.token}` });

export function randomHexId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex');
}

export interface Device {
  readonly account: Account;
  readonly deviceId: string;
  readonly privateKey: CryptoKey;
}

export async function enrolDevice(origin: string, account: Account): Promise<Device> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const deviceId = randomHexId();
  const res = await http(origin, 'PUT', `/v1/accounts/${account.accountId}/devices/${deviceId}`, {
    json: { signingKey: b64(raw) },
    headers: bearer(account),
  });
  if (res.status !== 200) throw new Error(`enrol ${res.status} ${JSON.stringify(res.json)}`);
  return { account, deviceId, privateKey: pair.privateKey };
}

export function ids(device: Device): { accountId: AccountId; deviceId: DeviceId } {
  return {
    accountId: asAccountId(idBytesFromHex(device.account.accountId)),
    deviceId: asDeviceId(idBytesFromHex(device.deviceId)),
  };
}

export async function signChallenge(device: Device, challenge: Uint8Array): Promise<Uint8Array> {
  const { accountId, deviceId } = ids(device);
  return new Uint8Array(
    await crypto.subtle.sign(
      { name: 'Ed25519' },
      device.privateKey,
      new Uint8Array(deviceAuthMessage(challenge, accountId, deviceId)),
    ),
  );
}

/** A device connection that has received `ready`. */
export async function connectDevice(wsUrl: string, device: Device, resumeAfter = 0): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl);
  await client.until((f) => f.some((x) => x.type === 'challenge'), 'challenge');
  const signature = await signChallenge(device, client.challenge());
  client.send({ type: 'hello-device', ...ids(device), signature, resumeAfter });
  await client.until((f) => f.some((x) => x.type === 'ready' || x.type === 'error'), 'ready');
  return client;
}

export interface Conversation {
  readonly conversationId: string;
  readonly capability: string;
}

export async function openConversation(origin: string, accountId: string): Promise<Conversation> {
  const res = await http(origin, 'POST', `/v1/accounts/${accountId}/conversations`);
  if (res.status !== 201) throw new Error(`open conversation ${res.status}`);
  return { conversationId: String(res.json['conversationId']), capability: String(res.json['capability']) };
}

export async function connectVisitor(wsUrl: string, conversation: Conversation, resumeAfter = 0): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl);
  await client.until((f) => f.some((x) => x.type === 'challenge'), 'challenge');
  client.send({
    type: 'hello-visitor',
    conversationId: asConversationId(idBytesFromHex(conversation.conversationId)),
    capability: unb64(conversation.capability),
    resumeAfter,
  });
  await client.until((f) => f.some((x) => x.type === 'ready' || x.type === 'error'), 'ready');
  return client;
}

export function envelope(
  conversationId: string,
  recipient: { device: string } | 'visitor',
  body: Uint8Array,
): Uint8Array {
  const r: Recipient =
    recipient === 'visitor'
      ? { kind: 'visitor' }
      : { kind: 'device', deviceId: asDeviceId(idBytesFromHex(recipient.device)) };
  return encodeEnvelope({
    conversationId: asConversationId(idBytesFromHex(conversationId)),
    recipient: r,
    body: asCiphertext(body),
  });
}
