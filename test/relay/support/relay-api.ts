/**
 * Test helpers that speak the relay's HTTP API as a real client does: through shared/transport
 * (OPAQUE registration and login with @serenity-kit/opaque, device enrolment with a WebCrypto
 * Ed25519 key, conversations opened with the client's own random id). `http` stays a raw request
 * for tests that check exact statuses and bodies; device/visitor WebSockets are the raw-frame
 * TestClient (ws-client.ts), because the relay tests look at every frame.
 */
import {
  type AccountId,
  type DeviceId,
  asAccountId,
  asCiphertext,
  asConversationId,
  asDeviceId,
  encodeEnvelope,
  idBytesFromHex,
  idToHex,
  type Recipient,
} from '../../../shared/wire/index.js';
import {
  type DeviceCredentials,
  type Hello,
  type RelayHttp,
  UnauthorizedError,
  createRelayHttp,
  ed25519Signer,
  helloFrame,
  signChallenge as signRelayChallenge,
  systemTimers,
} from '../../../shared/transport/index.js';
import { serenityOpaqueClient } from '../../../shared/transport/opaque/index.js';
import { TestClient } from './ws-client.js';

/** The OpaqueClient every test uses (the key stretching of PROTOCOL §17). */
export const opaqueClient = serenityOpaqueClient();

/** The transport's HTTP client for a relay origin (Node's fetch, real timers). */
export function relayHttp(origin: string, timeoutMs?: number): RelayHttp {
  return createRelayHttp({ origin, fetch, timers: systemTimers, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

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
  return idToHex(await relayHttp(origin).auth.register(username, password, opaqueClient));
}

/** OPAQUE login; undefined for a wrong password (the client-side finish fails). */
export async function login(origin: string, username: string, password: string): Promise<Account | undefined> {
  try {
    const session = await relayHttp(origin).auth.login(username, password, opaqueClient);
    return { accountId: idToHex(session.accountId), token: session.sessionToken, username };
  } catch (error) {
    if (error instanceof UnauthorizedError && error.status === undefined) return undefined;
    throw error;
  }
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
  await relayHttp(origin).directory.enrolDevice(
    asAccountId(idBytesFromHex(account.accountId)),
    asDeviceId(idBytesFromHex(deviceId)),
    raw,
    { bearer: account.token },
  );
  return { account, deviceId, privateKey: pair.privateKey };
}

export function ids(device: Device): { accountId: AccountId; deviceId: DeviceId } {
  return {
    accountId: asAccountId(idBytesFromHex(device.account.accountId)),
    deviceId: asDeviceId(idBytesFromHex(device.deviceId)),
  };
}

/** The device as the transport authenticates it (PROTOCOL §16.5). */
export function credentials(device: Device): DeviceCredentials {
  return { ...ids(device), sign: ed25519Signer(device.privateKey) };
}

export function signChallenge(device: Device, challenge: Uint8Array): Promise<Uint8Array> {
  return signRelayChallenge(credentials(device), challenge);
}

async function connectAs(wsUrl: string, hello: Hello, resumeAfter: number): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl);
  await client.until((f) => f.some((x) => x.type === 'challenge'), 'challenge');
  client.send(await helloFrame(hello, client.challenge(), resumeAfter));
  await client.until((f) => f.some((x) => x.type === 'ready' || x.type === 'error'), 'ready');
  return client;
}

/** A device connection that has received `ready`. */
export function connectDevice(wsUrl: string, device: Device, resumeAfter = 0): Promise<TestClient> {
  return connectAs(wsUrl, { kind: 'device', device: credentials(device) }, resumeAfter);
}

export interface Conversation {
  readonly conversationId: string;
  readonly capability: string;
}

/** Opens a conversation with a fresh random id (PROTOCOL §2.4), as a visitor does. */
export async function openConversation(origin: string, accountId: string): Promise<Conversation> {
  const conversationId = randomHexId();
  const capability = await relayHttp(origin).conversations.open(
    asAccountId(idBytesFromHex(accountId)),
    asConversationId(idBytesFromHex(conversationId)),
  );
  return { conversationId, capability: b64(capability) };
}

/** The visitor's hello for the transport. */
export function visitorHello(conversation: Conversation): Hello {
  return {
    kind: 'visitor',
    conversationId: asConversationId(idBytesFromHex(conversation.conversationId)),
    capability: unb64(conversation.capability),
  };
}

export function connectVisitor(wsUrl: string, conversation: Conversation, resumeAfter = 0): Promise<TestClient> {
  return connectAs(wsUrl, visitorHello(conversation), resumeAfter);
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
