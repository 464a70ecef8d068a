/**
 * Base32 (RFC 4648 §6 alphabet), lowercase, without padding. Decoding is strict about the
 * alphabet and canonical trailing bits (RFC 4648 §3.5) but case-insensitive for ASCII letters only:
 * Unicode case folding would let U+212A KELVIN SIGN pass as "k" (issue #9 item 8).
 */
import { DecodeError } from '../errors/index.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const VALUES: ReadonlyMap<string, number> = new Map(Array.from(ALPHABET, (c, i) => [c, i]));

export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31] ?? '';
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31] ?? '';
  return out;
}

export function fromBase32(text: string): Uint8Array {
  // RFC 4648 §6: unpadded lengths mod 8 can only be 0, 2, 4, 5 or 7.
  const rem = text.length % 8;
  if (rem === 1 || rem === 3 || rem === 6) throw new DecodeError(`base32 text has impossible length ${text.length}`);
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = VALUES.get(String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c));
    if (v === undefined) throw new DecodeError(`invalid base32 character at position ${i}`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new DecodeError('base32 text is not canonical (non-zero trailing bits)');
  return out;
}
