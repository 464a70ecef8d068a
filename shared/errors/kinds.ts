import { SealdeskError } from './sealdesk-error.js';

/** Bytes that do not parse: bad length prefix, unknown tag or version, trailing bytes, over a cap. */
export class DecodeError extends SealdeskError {
  // string, not the literal: a protocol layer may refine it (InvalidContentError, 'invalid-content').
  readonly code: string = 'decode';
}

/** A key of the wrong type, length or shape (including X25519 low-order points). */
export class InvalidKeyError extends SealdeskError {
  readonly code = 'invalid-key';
}

/** AEAD authentication failed: wrong key, tampered ciphertext, associated data or tag. */
export class DecryptError extends SealdeskError {
  readonly code = 'decrypt';
}

/** A signature that does not verify where one is required. */
export class SignatureError extends SealdeskError {
  readonly code = 'signature';
}

/** A WebCrypto operation failed for a reason that is not the caller's input (engine support, etc.). */
export class CryptoUnavailableError extends SealdeskError {
  readonly code = 'crypto-unavailable';
}

/** A value outside a fixed limit: sizes, counts, counters, skipped-key budgets. */
export class LimitError extends SealdeskError {
  readonly code = 'limit';
}

/** A caller passed an argument the API does not accept (programming error, not hostile input). */
export class UsageError extends SealdeskError {
  readonly code = 'usage';
}
