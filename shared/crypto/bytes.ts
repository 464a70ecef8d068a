/**
 * Byte helpers: concatenation, constant-time comparison, UTF-8 (WHATWG Encoding, fatal mode),
 * hex and base64url (RFC 4648 §5, no padding) codecs, best-effort zeroisation.
 */
import { DecodeError } from '../errors/index.js';

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Compares two byte strings without an early exit on the first difference. A length mismatch
 * returns false at once (lengths are public in every place this is used). Best effort: a JIT
 * gives no timing guarantee (see README.md).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decoding: invalid sequences are a DecodeError, never U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new DecodeError(`invalid UTF-8 in ${bytes.length} bytes`, { cause: error });
  }
}

const HEX_DIGITS = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (HEX_DIGITS[b >> 4] ?? '') + (HEX_DIGITS[b & 15] ?? '');
  return out;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** Accepts upper or lower case, nothing else (no spaces, no 0x prefix, even length). */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new DecodeError(`hex text has odd length ${hex.length}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(hex.charCodeAt(2 * i));
    const lo = hexValue(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new DecodeError(`invalid hex digit near position ${2 * i}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_VALUES: ReadonlyMap<string, number> = new Map(Array.from(B64URL, (c, i) => [c, i]));

/** RFC 4648 §5 base64url, without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    const remaining = bytes.length - i;
    out += (B64URL[(n >> 18) & 63] ?? '') + (B64URL[(n >> 12) & 63] ?? '');
    if (remaining > 1) out += B64URL[(n >> 6) & 63] ?? '';
    if (remaining > 2) out += B64URL[n & 63] ?? '';
  }
  return out;
}

/**
 * Strict RFC 4648 §5 decoding: base64url alphabet only, no padding, no whitespace, and the unused
 * low bits of the last character must be zero (RFC 4648 §3.5, canonical encoding only).
 */
export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new DecodeError(`base64url text has impossible length ${text.length}`);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const v = B64URL_VALUES.get(text.charAt(i));
    if (v === undefined) throw new DecodeError(`invalid base64url character at position ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0)
    throw new DecodeError('base64url text is not canonical (non-zero trailing bits)');
  return out;
}

/** Zero-fills `bytes` in place. Best effort only: copies made by the engine are out of reach. */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}
