/**
 * Cryptographically secure random bytes from WebCrypto (W3C WebCrypto §10.1.1 getRandomValues).
 * getRandomValues refuses more than 65536 bytes per call, so larger requests are chunked.
 */
import { CryptoUnavailableError, UsageError } from '../errors/index.js';

export type RandomSource = (length: number) => Uint8Array;

const MAX_CHUNK = 65536; // WebCrypto §10.1.1: QuotaExceededError above 65536 bytes

export const secureRandom: RandomSource = (length: number): Uint8Array => {
  if (!Number.isSafeInteger(length) || length < 0)
    throw new UsageError(`random length must be a non-negative integer, got ${length}`);
  const crypto = globalThis.crypto as Crypto | undefined;
  if (crypto === undefined)
    throw new CryptoUnavailableError('WebCrypto is not available: a secure context is required');
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += MAX_CHUNK) {
    crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + MAX_CHUNK)));
  }
  return out;
};
