/**
 * Provisioning the relay for the benchmark through its real HTTP API, with shared/transport's
 * client (docs/OPERATIONS.md "HTTP API"): an account registered and logged in with OPAQUE
 * (RFC 9807, via @serenity-kit/opaque with the key stretching of PROTOCOL §17), devices enrolled
 * with fresh Ed25519 keys (WebCrypto), and visitor conversations opened with their capabilities.
 * Nothing here is a shortcut into the database.
 */
import {
  type AccountId,
  type ConversationId,
  type DeviceId,
  asDeviceId,
  asConversationId,
} from '../../shared/wire/index.js';
import { type RelayHttp, createRelayHttp, systemTimers } from '../../shared/transport/index.js';
import { serenityOpaqueClient } from '../../shared/transport/opaque/index.js';
import { BenchError } from './bench-error.js';

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

const opaqueClient = serenityOpaqueClient();
const clients = new Map<string, RelayHttp>();

function relayHttp(origin: string): RelayHttp {
  let http = clients.get(origin);
  if (http === undefined) {
    http = createRelayHttp({ origin, fetch, timers: systemTimers, timeoutMs: 60_000 });
    clients.set(origin, http);
  }
  return http;
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** Registers a fresh account with OPAQUE and logs in; returns the account session. */
export async function createAccount(origin: string): Promise<Account> {
  const http = relayHttp(origin);
  const username = `bench-${b64url(crypto.getRandomValues(new Uint8Array(12)))}`;
  const password = b64url(crypto.getRandomValues(new Uint8Array(24)));
  const accountId = await http.auth.register(username, password, opaqueClient);
  const session = await http.auth.login(username, password, opaqueClient);
  if (Buffer.compare(session.accountId, accountId) !== 0) throw new BenchError('login returned another account');
  return { accountId, sessionToken: session.sessionToken };
}

/** Generates an Ed25519 device key (RFC 8032, WebCrypto) and enrols its public half. */
export async function enrolDevice(origin: string, account: Account): Promise<DeviceIdentity> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const deviceId = asDeviceId(crypto.getRandomValues(new Uint8Array(16)));
  await relayHttp(origin).directory.enrolDevice(account.accountId, deviceId, publicKey, {
    bearer: account.sessionToken,
  });
  return { accountId: account.accountId, deviceId, signingKey: pair.privateKey };
}

/** Opens a visitor conversation (no credentials) with a fresh random id; the capability is what the widget keeps. */
export async function openConversation(origin: string, accountId: AccountId): Promise<VisitorTicket> {
  const conversationId = asConversationId(crypto.getRandomValues(new Uint8Array(16)));
  const capability = await relayHttp(origin).conversations.open(accountId, conversationId);
  return { accountId, conversationId, capability };
}
