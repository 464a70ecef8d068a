/**
 * Small-order X25519 public keys (RFC 7748 §6.1, §7; the Wycheproof x25519 edge cases; libsodium's
 * `has_small_order` list). X25519 with a clamped scalar maps each of them to the all-zero output, so
 * a DH with one contributes nothing secret. Compared with bit 255 cleared (RFC 7748 §5 masks it), so
 * the 7 values below stand for 14 encodings: 0, 1, p − 1, the two points of order 8, and the
 * non-canonical p (= 0) and p + 1 (= 1).
 */
import { constantTimeEqual, fromHex, X25519_KEY_BYTES } from '../../crypto/index.js';

const SMALL_ORDER_U = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(fromHex);

/** True when `key` (32 bytes) encodes a point of small order, canonically or not. */
export function isSmallOrderX25519(key: Uint8Array): boolean {
  if (key.length !== X25519_KEY_BYTES) return false;
  const masked = new Uint8Array(key);
  masked[31] = (masked[31] ?? 0) & 0x7f;
  // Every comparison runs (no early exit on the first match).
  return SMALL_ORDER_U.reduce((found, u) => constantTimeEqual(masked, u) || found, false);
}
