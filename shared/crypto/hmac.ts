/**
 * HMAC-SHA-256 (RFC 2104, FIPS 198-1) through WebCrypto. Only full 32-byte tags are produced and
 * accepted (no truncation, RFC 2104 §5 is not used).
 */
import { CryptoUnavailableError, InvalidKeyError } from '../errors/index.js';
import { constantTimeEqual } from './bytes.js';
import { copyBytes, engineErrorName, subtle } from './subtle.js';

export const HMAC_SHA256_BYTES = 32;

async function importHmacKey(key: Uint8Array): Promise<CryptoKey> {
  // WebCrypto refuses zero-length HMAC keys in some engines; refuse them everywhere.
  if (key.length === 0) throw new InvalidKeyError('HMAC-SHA-256 key must not be empty');
  try {
    return await subtle().importKey('raw', copyBytes(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  } catch (error) {
    throw new InvalidKeyError(`HMAC-SHA-256 key import failed (${engineErrorName(error)})`, { cause: error });
  }
}

async function sign(cryptoKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  try {
    return new Uint8Array(await subtle().sign('HMAC', cryptoKey, copyBytes(data)));
  } catch (error) {
    throw new CryptoUnavailableError(`HMAC-SHA-256 failed (${engineErrorName(error)})`, { cause: error });
  }
}

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  return sign(await importHmacKey(key), data);
}

/**
 * HMAC-SHA-256 of several messages under one key: the same tags as one `hmacSha256` call per
 * message, with the key imported once (non-extractable) instead of once per message.
 */
export async function hmacSha256Many(key: Uint8Array, messages: readonly Uint8Array[]): Promise<Uint8Array[]> {
  const cryptoKey = await importHmacKey(key);
  return Promise.all(messages.map((m) => sign(cryptoKey, m)));
}

/** Recomputes the tag and compares in constant time. A tag of any length other than 32 is false. */
export async function hmacSha256Verify(key: Uint8Array, data: Uint8Array, mac: Uint8Array): Promise<boolean> {
  const expected = await hmacSha256(key, data);
  return mac.length === HMAC_SHA256_BYTES && constantTimeEqual(expected, mac);
}
