/**
 * AES-256-GCM (NIST SP 800-38D) through WebCrypto, fixed to a 256-bit key, a 96-bit IV
 * (SP 800-38D §5.2.1.1, §8.2) and a 128-bit tag (§5.2.1.2). Output is ciphertext || tag.
 */
import { CryptoUnavailableError, DecryptError, InvalidKeyError } from '../errors/index.js';
import { wipe } from './bytes.js';
import { copyBytes, engineErrorName, subtle } from './subtle.js';

export const AES_KEY_BYTES = 32;
export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Imports a 32-byte AES-256-GCM key, non-extractable. */
export async function importAesGcmKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== AES_KEY_BYTES)
    throw new InvalidKeyError(`AES-256-GCM key must be ${AES_KEY_BYTES} bytes, got ${raw.length}`);
  const copy = copyBytes(raw);
  try {
    return await subtle().importKey('raw', copy, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  } catch (error) {
    throw new InvalidKeyError(`AES-256-GCM key import failed (${engineErrorName(error)})`, { cause: error });
  } finally {
    wipe(copy);
  }
}

async function resolveKey(key: Uint8Array | CryptoKey): Promise<CryptoKey> {
  if (key instanceof Uint8Array) return importAesGcmKey(key);
  const algorithm = key.algorithm as Partial<AesKeyAlgorithm>;
  if (algorithm.name !== 'AES-GCM' || algorithm.length !== 8 * AES_KEY_BYTES || key.type !== 'secret') {
    throw new InvalidKeyError(`expected an AES-256-GCM key, got ${key.algorithm.name} ${key.type} key`);
  }
  return key;
}

function requireIv(iv: Uint8Array): void {
  // SP 800-38D §8.2: this project uses 96-bit IVs only (deterministic or random construction).
  if (iv.length !== GCM_IV_BYTES)
    throw new InvalidKeyError(`AES-GCM IV must be ${GCM_IV_BYTES} bytes, got ${iv.length}`);
}

/** A key without the needed usage is the caller's key problem (InvalidAccessError / Node's ...Exception). */
function engineFailure(operation: string, error: unknown): InvalidKeyError | CryptoUnavailableError {
  const name = engineErrorName(error);
  if (name.startsWith('InvalidAccess'))
    return new InvalidKeyError(`AES-GCM ${operation}: the key does not allow it (${name})`, { cause: error });
  return new CryptoUnavailableError(`AES-GCM ${operation} failed (${name})`, { cause: error });
}

export async function aesGcmEncrypt(
  key: Uint8Array | CryptoKey,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  requireIv(iv);
  const cryptoKey = await resolveKey(key);
  try {
    const out = await subtle().encrypt(
      { name: 'AES-GCM', iv: copyBytes(iv), additionalData: copyBytes(aad), tagLength: 8 * GCM_TAG_BYTES },
      cryptoKey,
      copyBytes(plaintext),
    );
    return new Uint8Array(out);
  } catch (error) {
    throw engineFailure('encryption', error);
  }
}

/** DecryptError on a failed tag check or on input shorter than the tag (SP 800-38D §7.2). */
export async function aesGcmDecrypt(
  key: Uint8Array | CryptoKey,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  requireIv(iv);
  const cryptoKey = await resolveKey(key);
  if (ciphertext.length < GCM_TAG_BYTES) {
    throw new DecryptError(`AES-GCM input of ${ciphertext.length} bytes is shorter than the ${GCM_TAG_BYTES}-byte tag`);
  }
  try {
    const out = await subtle().decrypt(
      { name: 'AES-GCM', iv: copyBytes(iv), additionalData: copyBytes(aad), tagLength: 8 * GCM_TAG_BYTES },
      cryptoKey,
      copyBytes(ciphertext),
    );
    return new Uint8Array(out);
  } catch (error) {
    // SP 800-38D §7.2 step 8: FAIL. WebCrypto reports it as OperationError.
    if (engineErrorName(error) === 'OperationError') {
      throw new DecryptError(
        'AES-GCM authentication failed: wrong key, or tampered ciphertext, tag or associated data',
        { cause: error },
      );
    }
    throw engineFailure('decryption', error);
  }
}
