/**
 * Byte layout of a Double Ratchet message (docs/PROTOCOL.md §6.3), following Signal's Double
 * Ratchet §3.4 HEADER(dh_pair, pn, n), extended with the version and suite bytes (security
 * brief F21). The header bytes are part of the AEAD associated data.
 *
 *   header  = u8 version | u8 suite | dh[32] | u32 pn | u32 n
 *   message = header | u32 length | ciphertext (AES-256-GCM, tag included)
 *
 * The version and suite are decoded as raw bytes here; ratchet.ts decides between "unknown"
 * (DecodeError) and "older than this session" (DowngradeError).
 */
import { type Codec, fixedBytes, struct, u32, u8, varBytes } from '../../wire/index.js';
import { RATCHET_LIMITS } from './ratchet-limits.js';

export interface RatchetHeader {
  readonly version: number;
  readonly suite: number;
  /** The sender's current ratchet public key (X25519, 32 bytes). */
  readonly dh: Uint8Array;
  /** Number of messages in the sender's previous sending chain (Double Ratchet "PN"). */
  readonly pn: number;
  /** Message number in the current sending chain (Double Ratchet "Ns"). */
  readonly n: number;
}

export interface RatchetMessage {
  readonly header: RatchetHeader;
  readonly ciphertext: Uint8Array;
}

export const ratchetHeaderCodec: Codec<RatchetHeader> = struct<RatchetHeader>({
  version: u8,
  suite: u8,
  dh: fixedBytes(32),
  // Security brief §4: counters past 2^32 cannot be written or read (u32).
  pn: u32,
  n: u32,
});

export const ratchetMessageCodec: Codec<RatchetMessage> = struct<RatchetMessage>({
  header: ratchetHeaderCodec,
  ciphertext: varBytes(RATCHET_LIMITS.maxCiphertextBytes),
});
