/**
 * Access to the platform's WebCrypto SubtleCrypto (W3C Web Cryptography API), and a helper to
 * hand WebCrypto an exact, ArrayBuffer-backed copy of caller bytes (a view into a larger buffer
 * would otherwise expose, or let the engine read, bytes outside the view).
 */
import { CryptoUnavailableError } from '../errors/index.js';

export function subtle(): SubtleCrypto {
  const crypto = globalThis.crypto as Crypto | undefined;
  const s = crypto?.subtle;
  if (s === undefined)
    throw new CryptoUnavailableError('WebCrypto SubtleCrypto is not available: a secure context is required');
  return s;
}

/** An exact copy backed by its own ArrayBuffer. */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.slice();
}

/** The DOMException name (or Node's variant, e.g. InvalidAccessException) of an engine error. */
export function engineErrorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
