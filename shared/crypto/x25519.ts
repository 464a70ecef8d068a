/**
 * X25519 Diffie-Hellman (RFC 7748 §5, §6.1) through WebCrypto. Private keys are non-extractable
 * CryptoKeys; public keys are the 32-byte raw u-coordinate. Each private key also gets an
 * extractable twin, held only by x25519-wrap.ts until a store wraps it (WebKit cannot store
 * X25519 CryptoKeys as they are).
 */
import { CryptoUnavailableError, InvalidKeyError } from '../errors/index.js';
import { wipe } from './bytes.js';
import { pkcs8FromRawPrivate } from './pkcs8.js';
import { cachedPublicKey } from './public-key-cache.js';
import { copyBytes, engineErrorName, generateWithRetry, subtle } from './subtle.js';
import { keepExtractableTwin } from './x25519-wrap.js';

export const X25519_KEY_BYTES = 32;

export interface X25519KeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: Uint8Array;
}

const ALGORITHM = { name: 'X25519' } as const;

// RFC 7748 §4.1: the base point has u = 9.
function basePoint(): Uint8Array<ArrayBuffer> {
  const u = new Uint8Array(X25519_KEY_BYTES);
  u[0] = 9;
  return u;
}

function requireLength(bytes: Uint8Array, what: string): void {
  if (bytes.length !== X25519_KEY_BYTES) {
    throw new InvalidKeyError(`${what} must be ${X25519_KEY_BYTES} bytes, got ${bytes.length}`);
  }
}

function requireX25519Private(key: CryptoKey): void {
  if (key.algorithm.name !== 'X25519' || key.type !== 'private') {
    throw new InvalidKeyError(`expected an X25519 private key, got ${key.algorithm.name} ${key.type} key`);
  }
}

/**
 * A fresh key pair generated natively; the private key is non-extractable. Its extractable twin is
 * copied to it inside the engine (wrapKey/unwrapKey under a throwaway AES-KW key), never through
 * JavaScript.
 */
export async function generateX25519KeyPair(): Promise<X25519KeyPair> {
  const pair = await generateWithRetry(() => subtle().generateKey(ALGORITHM, true, ['deriveBits']));
  const carrier = await subtle().generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']);
  const wrapped = await subtle().wrapKey('pkcs8', pair.privateKey, carrier, 'AES-KW');
  const privateKey = await subtle().unwrapKey('pkcs8', wrapped, carrier, 'AES-KW', ALGORITHM, false, ['deriveBits']);
  keepExtractableTwin(privateKey, pair.privateKey);
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { privateKey, publicKey };
}

/**
 * WebKitGTK 2.50 refuses (DataError) an X25519 private key whose first byte is 0x00 — about one
 * random scalar in 256 (probed). RFC 7748 §5 clamping clears the three low bits of that byte, so
 * 0x00 and 0x01 there give the same scalar: the key, its public key and every shared secret are
 * unchanged in every engine, and WebKit accepts it.
 */
function withoutZeroFirstByte(seed: Uint8Array): Uint8Array {
  if (seed[0] !== 0) return seed;
  const copy = new Uint8Array(seed);
  copy[0] = 0x01;
  return copy;
}

/**
 * Imports a 32-byte scalar (RFC 7748 §5: clamped by the engine on use) as a non-extractable
 * private key. The public key is X25519(scalar, 9) computed with deriveBits, so the private key
 * never has to be extractable.
 */
export async function x25519KeyPairFromSeed(seed: Uint8Array): Promise<X25519KeyPair> {
  requireLength(seed, 'X25519 private scalar');
  const scalar = withoutZeroFirstByte(seed);
  const der = pkcs8FromRawPrivate('x25519', scalar);
  if (scalar !== seed) wipe(scalar);
  let privateKey: CryptoKey;
  try {
    privateKey = await subtle().importKey('pkcs8', der, ALGORITHM, false, ['deriveBits']);
    keepExtractableTwin(privateKey, await subtle().importKey('pkcs8', der, ALGORITHM, true, ['deriveBits']));
  } catch (error) {
    throw new InvalidKeyError(`X25519 private key import failed (${engineErrorName(error)})`, { cause: error });
  } finally {
    wipe(der);
  }
  const publicKey = await x25519(privateKey, basePoint());
  return { privateKey, publicKey };
}

/**
 * X25519(privateKey, peerPublicKey) → 32-byte shared secret.
 * RFC 7748 §6.1: an all-zero output (low-order peer point) is rejected with InvalidKeyError,
 * whether the engine throws (Node: OperationError) or returns zeros (checked here explicitly).
 */
export async function x25519(privateKey: CryptoKey, peerPublicKey: Uint8Array): Promise<Uint8Array> {
  requireX25519Private(privateKey);
  requireLength(peerPublicKey, 'X25519 public key');
  let peer: CryptoKey;
  try {
    // Imported once per distinct key (public-key-cache.ts); the DH itself runs every time.
    peer = await cachedPublicKey('X25519', peerPublicKey, () =>
      subtle().importKey('raw', copyBytes(peerPublicKey), ALGORITHM, true, []),
    );
  } catch (error) {
    throw new InvalidKeyError(`X25519 public key rejected by the engine (${engineErrorName(error)})`, { cause: error });
  }
  let shared: Uint8Array;
  try {
    shared = new Uint8Array(
      await subtle().deriveBits({ name: 'X25519', public: peer }, privateKey, 8 * X25519_KEY_BYTES),
    );
  } catch (error) {
    if (engineErrorName(error) === 'OperationError') {
      // RFC 7748 §6.1: the engine refused an all-zero result (low-order point).
      throw new InvalidKeyError('X25519 peer public key is a low-order point (all-zero shared secret)', {
        cause: error,
      });
    }
    throw new CryptoUnavailableError(`X25519 deriveBits failed (${engineErrorName(error)})`, { cause: error });
  }
  // RFC 7748 §6.1: check for the all-zero value, in constant time (OR of all bytes).
  let acc = 0;
  for (const b of shared) acc |= b;
  if (acc === 0) {
    throw new InvalidKeyError('X25519 peer public key is a low-order point (all-zero shared secret)');
  }
  return shared;
}
