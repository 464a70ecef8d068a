/**
 * Sizes of an attachment (docs/PROTOCOL.md §8.3, §14.3). Every sealed chunk but the last is exactly
 * 64 KiB: it carries 65,488 bytes of the padded file, the 32-byte hash of the next sealed chunk and
 * the 16-byte GCM tag. The last chunk carries the rest of the padded file (0..65,488 bytes) the same way.
 */
import { GCM_TAG_BYTES, SHA256_BYTES } from '../../crypto/index.js';
import { padmeLength } from './attachment-padding.js';

/** SHA-256 output: the chunk hashes h_i of the chain (§8.3). */
export const CHUNK_HASH_BYTES = SHA256_BYTES;

const SEALED_CHUNK_BYTES = 65_536;
const CHUNK_PAYLOAD_BYTES = SEALED_CHUNK_BYTES - CHUNK_HASH_BYTES - GCM_TAG_BYTES;
const MAX_BYTES = 104_857_600;

/** The number of chunks a file of `size` plaintext bytes is sealed into (at least one). */
export function chunkCountFor(size: number): number {
  return Math.max(1, Math.ceil(padmeLength(size) / CHUNK_PAYLOAD_BYTES));
}

export const ATTACHMENT_LIMITS = {
  /** Bytes of the padded file per chunk (the last chunk may carry fewer). */
  chunkPayloadBytes: CHUNK_PAYLOAD_BYTES,
  /** Bytes of every sealed chunk but the last: payload, next chunk's hash, GCM tag. */
  sealedChunkBytes: SEALED_CHUNK_BYTES,
  /** Largest attachment plaintext: 100 MiB. */
  maxBytes: MAX_BYTES,
  /** Chunks of the largest padded attachment (1,602). */
  maxChunks: chunkCountFor(MAX_BYTES),
  /** RFC 6838 §4.2: type "/" subtype, each at most 127 characters; we cap the whole at 127. */
  maxMediaTypeBytes: 127,
  /** UTF-8 bytes of a file name (the display-name cap of PROTOCOL §4.6). */
  maxFileNameBytes: 128,
} as const;

/** Bytes of the padded file that chunk `index` of a `size`-byte file carries. */
export function chunkPayloadLength(size: number, index: number): number {
  const start = index * CHUNK_PAYLOAD_BYTES;
  return Math.max(0, Math.min(CHUNK_PAYLOAD_BYTES, padmeLength(size) - start));
}

/** Length of sealed chunk `index`: its payload, the next chunk's hash and the tag. */
export function sealedChunkLength(size: number, index: number): number {
  return chunkPayloadLength(size, index) + CHUNK_HASH_BYTES + GCM_TAG_BYTES;
}
