/**
 * Every 32-byte encoding of an X25519 u-coordinate of small order (RFC 7748 §6.1; the Wycheproof
 * x25519 edge cases; libsodium's blocklist): 0, 1, p − 1, the two points of order 8, and the
 * non-canonical p and p + 1, each also with bit 255 set (RFC 7748 §5 masks that bit, so it names
 * the same point). Kept here, apart from the code under test, so the tests do not trust its list.
 */
import { fromHex } from '../../shared/crypto/index.js';

const CANONICAL: readonly (readonly [string, string])[] = [
  ['zero', '0000000000000000000000000000000000000000000000000000000000000000'],
  ['one', '0100000000000000000000000000000000000000000000000000000000000000'],
  ['order-8 point A', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
  ['order-8 point B', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'],
  ['p - 1', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['p (non-canonical 0)', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['p + 1 (non-canonical 1)', 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
];

function withHighBit(hex: string): Uint8Array {
  const bytes = fromHex(hex);
  bytes[31] = (bytes[31] ?? 0) | 0x80;
  return bytes;
}

/** [name, encoding] for all 14 encodings. */
export const SMALL_ORDER_ENCODINGS: readonly (readonly [string, Uint8Array])[] = CANONICAL.flatMap(([name, hex]) => [
  [name, fromHex(hex)] as const,
  [`${name}, bit 255 set`, withHighBit(hex)] as const,
]);

/** The order-8 point A: what a relay would most likely substitute. */
export const LOW_ORDER_POINT: Uint8Array = fromHex(CANONICAL[2]?.[1] ?? '');
