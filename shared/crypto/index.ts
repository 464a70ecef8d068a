// shared/crypto: stateless, typed WebCrypto wrappers (see README.md).
export {
  concatBytes,
  constantTimeEqual,
  fromBase64Url,
  fromHex,
  toBase64Url,
  toHex,
  utf8Decode,
  utf8Encode,
  wipe,
} from './bytes.js';
export { fromBase32, toBase32 } from './base32.js';
export { secureRandom, type RandomSource } from './random.js';
export {
  generateX25519KeyPair,
  x25519,
  x25519KeyPairFromSeed,
  X25519_KEY_BYTES,
  type X25519KeyPair,
} from './x25519.js';
export {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SECRET_BYTES,
  ED25519_SIGNATURE_BYTES,
  ed25519KeyPairFromSeed,
  ed25519Seed,
  ed25519Sign,
  ed25519Verify,
  generateEd25519KeyPair,
  type Ed25519KeyPair,
} from './ed25519.js';
export { hkdfSha256, HKDF_SHA256_MAX_BYTES } from './hkdf.js';
export { AES_KEY_BYTES, aesGcmDecrypt, aesGcmEncrypt, GCM_IV_BYTES, GCM_TAG_BYTES, importAesGcmKey } from './aead.js';
export { sha256, SHA256_BYTES } from './hash.js';
export { HMAC_SHA256_BYTES, hmacSha256, hmacSha256Many, hmacSha256Verify } from './hmac.js';
export {
  FINGERPRINT_MIN_BYTES,
  fingerprintBytes,
  formatDigits,
  formatFingerprint,
  parseFingerprint,
  shortAuthCode,
} from './fingerprint.js';
export {
  generateStorageWrappingKey,
  isStorageWrappingKey,
  isX25519PrivateKey,
  unwrapX25519PrivateKey,
  wrapX25519PrivateKey,
  WRAP_IV_BYTES,
  type StorageWrappingKey,
  type WrappedX25519,
} from './x25519-wrap.js';
export { generateWithRetry } from './subtle.js';
