/**
 * The Double Ratchet key derivation functions (Signal, "The Double Ratchet Algorithm" §5.2,
 * recommended cryptographic algorithms):
 * - KDF_RK(rk, dh_out): HKDF-SHA-256 with rk as salt, dh_out as input key material, an
 *   application-specific info, 64 bytes of output split into (root key, chain key).
 * - KDF_CK(ck): HMAC-SHA-256 with ck as the key, 0x01 as input for the message key and 0x02
 *   for the next chain key.
 * - ENCRYPT(mk, …): HKDF-SHA-256 of mk (salt: 32 zero bytes) gives the AES-256-GCM key and a
 *   96-bit IV. Each message key is used for exactly one message, so the IV derived from it is
 *   unique (security brief F15).
 */
import { hkdfSha256, hmacSha256Many } from '../../crypto/index.js';
import { UsageError } from '../../errors/index.js';
import { labelInfo, SESSION_LABELS } from './session-labels.js';

export const RATCHET_KEY_BYTES = 32;

const MESSAGE_KEY_INPUT = new Uint8Array([0x01]);
const CHAIN_KEY_INPUT = new Uint8Array([0x02]);
const ZERO_SALT = new Uint8Array(32);

/** Double Ratchet §5.2 KDF_RK: returns the next root key and a new chain key. */
export async function kdfRk(
  rootKey: Uint8Array,
  dhOut: Uint8Array,
): Promise<{ rootKey: Uint8Array; chainKey: Uint8Array }> {
  const out = await hkdfSha256(dhOut, rootKey, labelInfo(SESSION_LABELS.ratchetRoot), 2 * RATCHET_KEY_BYTES);
  return { rootKey: out.slice(0, RATCHET_KEY_BYTES), chainKey: out.slice(RATCHET_KEY_BYTES) };
}

/** Double Ratchet §5.2 KDF_CK: returns the next chain key and this step's message key. */
export async function kdfCk(chainKey: Uint8Array): Promise<{ chainKey: Uint8Array; messageKey: Uint8Array }> {
  // One import of ck for both HMACs (same bytes as two separate HMAC-SHA-256 calls).
  const [messageKey, next] = await hmacSha256Many(chainKey, [MESSAGE_KEY_INPUT, CHAIN_KEY_INPUT]);
  if (messageKey === undefined || next === undefined) throw new UsageError('KDF_CK: HMAC returned too few outputs');
  return { chainKey: next, messageKey };
}

/** Double Ratchet §5.2 ENCRYPT: message key -> AES-256-GCM key (32 bytes) and IV (12 bytes). */
export async function messageKeyMaterial(messageKey: Uint8Array): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  const out = await hkdfSha256(messageKey, ZERO_SALT, labelInfo(SESSION_LABELS.ratchetMessage), 44);
  return { key: out.slice(0, 32), iv: out.slice(32, 44) };
}
