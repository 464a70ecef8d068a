/**
 * HKDF with SHA-256 (RFC 5869 §2) through WebCrypto.
 */
import { CryptoUnavailableError, UsageError } from '../errors/index.js';
import { copyBytes, engineErrorName, subtle } from './subtle.js';

const SHA256_BYTES = 32;
/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_SHA256_MAX_BYTES = 255 * SHA256_BYTES;

export async function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  // RFC 5869 §2.3: 0 < L <= 255*HashLen (a zero-length output is refused as a programming error).
  if (!Number.isSafeInteger(length) || length < 1 || length > HKDF_SHA256_MAX_BYTES) {
    throw new UsageError(`HKDF-SHA-256 output length must be 1..${HKDF_SHA256_MAX_BYTES} bytes, got ${length}`);
  }
  try {
    const key = await subtle().importKey('raw', copyBytes(ikm), 'HKDF', false, ['deriveBits']);
    const bits = await subtle().deriveBits(
      { name: 'HKDF', hash: 'SHA-256', salt: copyBytes(salt), info: copyBytes(info) },
      key,
      8 * length,
    );
    return new Uint8Array(bits);
  } catch (error) {
    throw new CryptoUnavailableError(`HKDF-SHA-256 failed (${engineErrorName(error)})`, { cause: error });
  }
}
