/**
 * Key fingerprints and short codes for people to compare.
 * - fingerprintBytes: SHA-256 (FIPS 180-4) over a domain-separated, length-prefixed encoding:
 *   u32be(len(label)) || label (UTF-8) || u32be(len(key)) || key. All 32 bytes are returned.
 * - formatFingerprint / parseFingerprint: RFC 4648 §6 base32, lowercase, unpadded, groups of 4.
 * - formatDigits: decimal groups in the style of Signal's safety numbers (each group: 5 bytes read
 *   as a big-endian 40-bit integer, mod 100000, five digits).
 * - shortAuthCode: 6-digit short authentication string (SAS) for device linking.
 */
import { DecodeError, UsageError } from '../errors/index.js';
import { fromBase32, toBase32 } from './base32.js';
import { concatBytes, utf8Encode } from './bytes.js';
import { sha256 } from './hash.js';

/** The minimum a formatted fingerprint may carry: 160 bits. */
export const FINGERPRINT_MIN_BYTES = 20;
export const FINGERPRINT_GROUP_CHARS = 4;

function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

/** SHA-256(len(label) || label || len(key) || key): 32 bytes. The label must be non-empty. */
export async function fingerprintBytes(label: string, publicKey: Uint8Array): Promise<Uint8Array> {
  if (label.length === 0) throw new UsageError('a fingerprint needs a non-empty domain-separation label');
  const labelBytes = utf8Encode(label);
  return sha256(concatBytes(u32be(labelBytes.length), labelBytes, u32be(publicKey.length), publicKey));
}

/** Base32 of all of `bytes` (at least 20), in groups of 4 characters separated by one space. */
export function formatFingerprint(bytes: Uint8Array): string {
  if (bytes.length < FINGERPRINT_MIN_BYTES) {
    throw new UsageError(`a fingerprint must carry at least ${FINGERPRINT_MIN_BYTES} bytes, got ${bytes.length}`);
  }
  const text = toBase32(bytes);
  const groups: string[] = [];
  for (let i = 0; i < text.length; i += FINGERPRINT_GROUP_CHARS)
    groups.push(text.slice(i, i + FINGERPRINT_GROUP_CHARS));
  return groups.join(' ');
}

/** Inverse of formatFingerprint; ignores spaces and case. DecodeError for anything else. */
export function parseFingerprint(text: string): Uint8Array {
  const compact = text.replace(/ +/g, '');
  const bytes = fromBase32(compact);
  if (bytes.length < FINGERPRINT_MIN_BYTES) {
    throw new DecodeError(`a fingerprint must carry at least ${FINGERPRINT_MIN_BYTES} bytes, got ${bytes.length}`);
  }
  return bytes;
}

function read40(bytes: Uint8Array, offset: number): number {
  let n = 0;
  for (let i = 0; i < 5; i++) n = n * 256 + (bytes[offset + i] ?? 0);
  return n;
}

/** `groups` groups of 5 decimal digits, from 5 bytes each, separated by one space. */
export function formatDigits(bytes: Uint8Array, groups: number): string {
  if (!Number.isSafeInteger(groups) || groups < 1)
    throw new UsageError(`group count must be a positive integer, got ${groups}`);
  if (bytes.length < 5 * groups)
    throw new UsageError(`${groups} digit groups need ${5 * groups} bytes, got ${bytes.length}`);
  const out: string[] = [];
  for (let g = 0; g < groups; g++) out.push(String(read40(bytes, 5 * g) % 100000).padStart(5, '0'));
  return out.join(' ');
}

/** Six decimal digits from the first 5 bytes (40 bits mod 10^6: bias below 2^-20). */
export function shortAuthCode(bytes: Uint8Array): string {
  if (bytes.length < 5) throw new UsageError(`a short authentication code needs 5 bytes, got ${bytes.length}`);
  return String(read40(bytes, 0) % 1000000).padStart(6, '0');
}
