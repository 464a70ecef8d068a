/**
 * Helpers of the relay hardening tests (issue #10): enrolment with a role, device sessions by
 * signature (POST /v1/auth/device/challenge then /session), and authorised raw requests.
 */
import { type Account, type Device, b64, http, randomHexId, signChallenge } from './relay-api.js';

export type Role = 'owner' | 'admin' | 'agent';

/** A new Ed25519 key pair (WebCrypto) and its raw public key. */
export async function newKey(): Promise<{ privateKey: CryptoKey; raw: Uint8Array }> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  return { privateKey: pair.privateKey, raw: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
}

/** PUT /v1/accounts/:a/devices/:d with {signingKey, role?} as `token`; the raw answer. */
export function putDevice(
  origin: string,
  accountId: string,
  deviceId: string,
  signingKey: Uint8Array,
  token: string,
  role?: Role,
): ReturnType<typeof http> {
  return http(origin, 'PUT', `/v1/accounts/${accountId}/devices/${deviceId}`, {
    json: { signingKey: b64(signingKey), ...(role === undefined ? {} : { role }) },
    headers: { authorization: `Bearer ${token}` },
  });
}

/** Enrols a new device with `role`, authorised by `token` (the password session by default). */
export async function enrolWithRole(
  origin: string,
  account: Account,
  role: Role,
  token = account.token,
): Promise<Device> {
  const key = await newKey();
  const deviceId = randomHexId();
  const answer = await putDevice(origin, account.accountId, deviceId, key.raw, token, role);
  if (answer.status !== 200) throw new Error(`enrolment refused: ${answer.status} ${JSON.stringify(answer.json)}`);
  return { account, deviceId, privateKey: key.privateKey };
}

/** A device session token (PROTOCOL §16.5), or the HTTP status that refused it. */
export async function deviceSession(origin: string, device: Device): Promise<string> {
  const { accountId } = device.account;
  const ask = await http(origin, 'POST', '/v1/auth/device/challenge', {
    json: { accountId, deviceId: device.deviceId },
  });
  if (ask.status !== 200) throw new Error(`challenge refused: ${ask.status}`);
  const challenge = new Uint8Array(Buffer.from(String(ask.json['challenge']), 'base64url'));
  const signature = await signChallenge(device, challenge);
  const answer = await http(origin, 'POST', '/v1/auth/device/session', {
    json: { accountId, deviceId: device.deviceId, challenge: b64(challenge), signature: b64(signature) },
  });
  if (answer.status !== 200) throw new Error(`device session refused: ${answer.status}`);
  return String(answer.json['sessionToken']);
}

/** A raw request with `Authorization: Bearer token`. */
export function as(
  token: string,
  origin: string,
  method: string,
  path: string,
  options: { json?: unknown; body?: Uint8Array } = {},
): ReturnType<typeof http> {
  return http(origin, method, path, { ...options, headers: { authorization: `Bearer ${token}` } });
}
