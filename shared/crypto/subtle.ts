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

/**
 * WebKitGTK 2.50 fails about one Ed25519 or X25519 generateKey in 150 with OperationError (probed:
 * 6 of 1,000 each); a fresh attempt succeeds. Other engines never take a second attempt.
 */
export async function generateWithRetry<T>(generate: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await generate();
    } catch (error) {
      if (attempt >= 4 || engineErrorName(error) !== 'OperationError') throw error;
    }
  }
}
