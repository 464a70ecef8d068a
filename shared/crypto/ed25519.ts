/**
 * Ed25519 signatures (RFC 8032 §5.1) through WebCrypto. Private keys are non-extractable
 * CryptoKeys; public keys are the 32-byte encoding of RFC 8032 §5.1.2; signatures are 64 bytes.
 */
import { CryptoUnavailableError, InvalidKeyError } from '../errors/index.js';
import { fromBase64Url, wipe } from './bytes.js';
import { pkcs8FromRawPrivate } from './pkcs8.js';
import { cachedPublicKey } from './public-key-cache.js';
import { copyBytes, engineErrorName, generateWithRetry, subtle } from './subtle.js';
import type { RandomSource } from './random.js';

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SECRET_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

export interface Ed25519KeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: Uint8Array;
}

const ALGORITHM = { name: 'Ed25519' } as const;

export async function generateEd25519KeyPair(): Promise<Ed25519KeyPair> {
  const pair = await generateWithRetry(() => subtle().generateKey(ALGORITHM, false, ['sign', 'verify']));
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey };
}

/**
 * A fresh Ed25519 secret from `rng` whose first byte is not 0x00: WebKitGTK 2.50 refuses such a
 * secret on import (DataError; probed, 40 of 40). Redrawing costs under 0.006 bits of the 256.
 */
export function ed25519Seed(rng: RandomSource): Uint8Array {
  for (;;) {
    const seed = rng(ED25519_SECRET_BYTES);
    if (seed[0] !== 0) return seed;
    wipe(seed);
  }
}

/**
 * Imports a 32-byte RFC 8032 §5.1.5 secret key as a non-extractable signing key.
 *
 * WebCrypto cannot derive the public key from a non-extractable private key, so the secret is
 * first imported *extractable* into a temporary key whose JWK export gives `x` (the public key);
 * that temporary key is dropped at once and the secret is imported again non-extractable. The
 * JWK's `d` string cannot be wiped (JS strings are immutable): it is left to the garbage collector.
 */
export async function ed25519KeyPairFromSeed(seed: Uint8Array): Promise<Ed25519KeyPair> {
  if (seed.length !== ED25519_SECRET_BYTES) {
    throw new InvalidKeyError(`Ed25519 secret key must be ${ED25519_SECRET_BYTES} bytes, got ${seed.length}`);
  }
  const der = pkcs8FromRawPrivate('ed25519', seed);
  try {
    const temporary = await subtle().importKey('pkcs8', der, ALGORITHM, true, ['sign']);
    const jwk = await subtle().exportKey('jwk', temporary);
    if (jwk.x === undefined) throw new CryptoUnavailableError('the engine exported an Ed25519 JWK without x');
    const publicKey = fromBase64Url(jwk.x);
    if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES)
      throw new CryptoUnavailableError('the engine exported a malformed Ed25519 public key');
    const privateKey = await subtle().importKey('pkcs8', der, ALGORITHM, false, ['sign']);
    return { privateKey, publicKey };
  } catch (error) {
    if (error instanceof CryptoUnavailableError) throw error;
    throw new InvalidKeyError(`Ed25519 private key import failed (${engineErrorName(error)})`, { cause: error });
  } finally {
    wipe(der);
  }
}

/** RFC 8032 §5.1.6. 64 bytes. Some engines (Safari) randomise: never compare signature bytes. */
export async function ed25519Sign(privateKey: CryptoKey, message: Uint8Array): Promise<Uint8Array> {
  if (privateKey.algorithm.name !== 'Ed25519' || privateKey.type !== 'private') {
    throw new InvalidKeyError(
      `expected an Ed25519 private key, got ${privateKey.algorithm.name} ${privateKey.type} key`,
    );
  }
  try {
    return new Uint8Array(await subtle().sign(ALGORITHM, privateKey, copyBytes(message)));
  } catch (error) {
    throw new CryptoUnavailableError(`Ed25519 signing failed (${engineErrorName(error)})`, { cause: error });
  }
}

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian (RFC 8032 §5.1). */
const ORDER_L = Uint8Array.of(
  0xed,
  0xd3,
  0xf5,
  0x5c,
  0x1a,
  0x63,
  0x12,
  0x58,
  0xd6,
  0x9c,
  0xf7,
  0xa2,
  0xde,
  0xf9,
  0xde,
  0x14,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0x10,
);

/**
 * RFC 8032 §5.1.7: S (the signature's second half, little-endian) must be below L. WebKitGTK 2.50
 * accepts S + L (a second valid-looking signature for the same message: Wycheproof tcId 63), so the
 * check is made here for every engine.
 */
function sBelowOrder(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i] ?? 0;
    const l = ORDER_L[i] ?? 0;
    if (s !== l) return s < l;
  }
  return false;
}

/**
 * RFC 8032 §5.1.7. Returns false (never throws) for a malformed key or signature: wrong lengths,
 * S not below the group order, a key the engine cannot decode, or a signature that does not verify.
 */
export async function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  if (!sBelowOrder(signature)) return false;
  try {
    // Imported once per distinct key (public-key-cache.ts); the signature is checked every time.
    const key = await cachedPublicKey('Ed25519', publicKey, () =>
      subtle().importKey('raw', copyBytes(publicKey), ALGORITHM, true, ['verify']),
    );
    return await subtle().verify(ALGORITHM, key, copyBytes(signature), copyBytes(message));
  } catch {
    return false;
  }
}
