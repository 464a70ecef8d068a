/**
 * A small bounded cache of imported PUBLIC-key CryptoKeys, keyed by algorithm and the exact key
 * bytes (W3C Web Cryptography API importKey 'raw'; RFC 7748 §5 u-coordinates, RFC 8032 §5.1.2
 * encodings). Importing costs about as much as a whole X25519 or Ed25519 operation in some
 * engines, and the protocol uses one public key several times (X3DH's signed prekey in DH1, DH3
 * and the first ratchet step; the X25519 base point for every key pair made from a seed; a
 * device signing key for every bundle and reply it signed).
 *
 * Only public keys are cached (never private or secret keys), only after the engine accepted
 * the import, and only with the one set of usages each caller passes, so a cached key is exactly
 * the key a fresh import would give. Least recently used entries go first past the cap.
 */
import { toHex } from './bytes.js';

/** Entries kept at most; at 32 bytes of key each, the cache stays a few tens of KB. */
export const PUBLIC_KEY_CACHE_SIZE = 256;

const cache = new Map<string, CryptoKey>();

/** The cached key for (`label`, `bytes`), or the result of `importer()`, cached once it resolves. */
export async function cachedPublicKey(
  label: string,
  bytes: Uint8Array,
  importer: () => Promise<CryptoKey>,
): Promise<CryptoKey> {
  const id = `${label}:${toHex(bytes)}`;
  const hit = cache.get(id);
  if (hit !== undefined) {
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  const key = await importer();
  if (key.type !== 'public') return key;
  cache.set(id, key);
  if (cache.size > PUBLIC_KEY_CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return key;
}
