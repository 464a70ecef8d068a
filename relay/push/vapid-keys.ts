/**
 * The relay's VAPID key pair (RFC 8292 §3.2): push services accept a wake-up only with a token
 * signed by the key the subscription was made for (the PWA subscribes with the public key from
 * GET /v1/push/vapid-public-key). From SEALDESK_VAPID_PUBLIC_KEY / _PRIVATE_KEY, or generated on
 * first start into the data directory (mode 0600, like the OPAQUE setup). Losing it invalidates
 * every subscription: devices subscribe again (docs/OPERATIONS.md "Web Push").
 */
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webPush from 'web-push';
import { SetupError } from '../errors.js';

export const VAPID_KEYS_FILE = 'vapid-keys.json';

export interface VapidKeys {
  /** Uncompressed P-256 point, 65 bytes, base64url (unpadded). */
  readonly publicKey: string;
  /** The private scalar, 32 bytes, base64url (unpadded). */
  readonly privateKey: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodedLength(text: string): number {
  return BASE64URL.test(text) ? Buffer.from(text, 'base64url').length : -1;
}

/** Throws SetupError naming `where` unless the pair has the shapes of RFC 8292 §3.2. */
export function checkVapidKeys(keys: VapidKeys, where: string): VapidKeys {
  const publicBytes = BASE64URL.test(keys.publicKey) ? Buffer.from(keys.publicKey, 'base64url') : undefined;
  if (publicBytes?.length !== 65 || publicBytes[0] !== 0x04)
    throw new SetupError(`${where}: the VAPID public key must be an uncompressed P-256 point (65 bytes) in base64url`);
  if (decodedLength(keys.privateKey) !== 32)
    throw new SetupError(`${where}: the VAPID private key must be 32 bytes in base64url`);
  return keys;
}

/** The key pair of the data directory, created (mode 0600) when absent. */
export function loadOrCreateVapidKeys(dataDir: string): VapidKeys {
  const path = join(dataDir, VAPID_KEYS_FILE);
  if (!existsSync(path)) {
    const { publicKey, privateKey } = webPush.generateVAPIDKeys();
    writeFileSync(path, `${JSON.stringify({ publicKey, privateKey })}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);
  if ((statSync(path).mode & 0o077) !== 0) throw new SetupError(`${path} must be readable by its owner only`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new SetupError(`${path} is not JSON; restore it from a backup, or delete it (devices then subscribe again)`);
  }
  const fields = parsed as { publicKey?: unknown; privateKey?: unknown } | null;
  if (typeof fields?.publicKey !== 'string' || typeof fields.privateKey !== 'string')
    throw new SetupError(`${path} must hold {"publicKey", "privateKey"}`);
  return checkVapidKeys({ publicKey: fields.publicKey, privateKey: fields.privateKey }, path);
}
