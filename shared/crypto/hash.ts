/**
 * SHA-256 (FIPS 180-4 §6.2) through WebCrypto.
 */
import { CryptoUnavailableError } from '../errors/index.js';
import { copyBytes, engineErrorName, subtle } from './subtle.js';

export const SHA256_BYTES = 32;

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  try {
    return new Uint8Array(await subtle().digest('SHA-256', copyBytes(data)));
  } catch (error) {
    throw new CryptoUnavailableError(`SHA-256 failed (${engineErrorName(error)})`, { cause: error });
  }
}
