/**
 * Device authentication to the relay: the device signs deviceAuthMessage (docs/PROTOCOL.md §16.5)
 * with its Ed25519 key (RFC 8032), and the relay verifies with node's WebCrypto against the
 * public key the account enrolled. This is the relay's own access control, not protocol crypto:
 * clients never rely on it.
 */
import { deviceAuthMessage, type AccountId, type DeviceId } from '../../shared/wire/index.js';

export const ED25519_PUBLIC_KEY_BYTES = 32;

export async function verifyDeviceSignature(
  publicKey: Uint8Array,
  signature: Uint8Array,
  challenge: Uint8Array,
  accountId: AccountId,
  deviceId: DeviceId,
): Promise<boolean> {
  return verifyEd25519(publicKey, signature, deviceAuthMessage(challenge, accountId, deviceId));
}

/** RFC 8032 Ed25519 verification with node's WebCrypto; false for a malformed key or signature. */
export async function verifyEd25519(
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(signature), new Uint8Array(message));
  } catch {
    // A key WebCrypto refuses to import (e.g. not a valid point) cannot have signed anything.
    return false;
  }
}
