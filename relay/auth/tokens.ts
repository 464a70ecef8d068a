/**
 * Random secrets the relay hands out (session tokens, conversation capabilities, challenges,
 * ids) and the hashes it stores instead of them. A session token or capability is 256 random
 * bits, so a plain SHA-256 is enough to make the stored value useless to a database thief.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_BYTES = 32;
export const ID_BYTES = 16;

export function randomSecret(): Uint8Array {
  return new Uint8Array(randomBytes(SECRET_BYTES));
}

export function randomIdHex(): string {
  return randomBytes(ID_BYTES).toString('hex');
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** Constant-time comparison of a presented secret with a stored hash of it. */
export function matchesHash(secret: Uint8Array, storedHash: Uint8Array): boolean {
  const actual = sha256(secret);
  return actual.length === storedHash.length && timingSafeEqual(actual, storedHash);
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Strict base64url (no padding); undefined when the text is not exactly that. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  return toBase64Url(bytes) === text ? bytes : undefined;
}
