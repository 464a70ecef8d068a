/**
 * Encrypting an attachment (docs/PROTOCOL.md §8; security brief F16, issue #17 item 6): a per-file
 * random 256-bit key, Padmé length padding, chunks each sealed with AES-256-GCM under a derived IV
 * with index, count and last-chunk flag in the associated data, and an inverted hash chain: each
 * sealed chunk carries the hash of the next one, so the hash of chunk 0 (in the reference) commits
 * to every byte. The returned reference goes inside a ratchet-encrypted message; the chunks go to
 * the relay.
 */
import { aesGcmEncrypt } from '../../crypto/index.js';
import { LimitError } from '../../errors/index.js';
import { encode } from '../../wire/index.js';
import { chainEnd, chunkHash } from './attachment-chain.js';
import {
  ATTACHMENT_ID_BYTES,
  ATTACHMENT_KEY_BYTES,
  type AttachmentRef,
  attachmentRefCodec,
} from './attachment-codec.js';
import { chunkAad, chunkIv, deriveAttachmentChunkKeys } from './attachment-keys.js';
import { ATTACHMENT_LIMITS, CHUNK_HASH_BYTES, chunkCountFor, chunkPayloadLength } from './attachment-limits.js';
import type { ProtocolEnv } from '../core/index.js';

/** Called after each chunk with the chunks done and the total (for a progress bar). */
export type AttachmentProgress = (done: number, total: number) => void;

export interface AttachmentMeta {
  readonly mediaType: string;
  readonly fileName?: string;
}

export interface SealedAttachment {
  readonly ref: AttachmentRef;
  /** Sealed chunks in order; their concatenation is the blob the relay stores. */
  readonly chunks: readonly Uint8Array[];
}

/** payload_i || next: the padded file's bytes of chunk `index` (zero past the end of `data`), then `next`. */
function chunkPlaintext(data: Uint8Array, index: number, next: Uint8Array): Uint8Array {
  const length = chunkPayloadLength(data.length, index);
  const start = index * ATTACHMENT_LIMITS.chunkPayloadBytes;
  const plain = new Uint8Array(length + CHUNK_HASH_BYTES); // Padmé (§8.3): the padding is these zeros
  plain.set(data.subarray(Math.min(start, data.length), Math.min(start + length, data.length)));
  plain.set(next, length);
  return plain;
}

/** Encrypts `data`. LimitError above ATTACHMENT_LIMITS.maxBytes; UsageError for bad metadata. */
export async function sealAttachment(
  env: ProtocolEnv,
  data: Uint8Array,
  meta: AttachmentMeta,
  onProgress?: AttachmentProgress,
): Promise<SealedAttachment> {
  if (data.length > ATTACHMENT_LIMITS.maxBytes) {
    throw new LimitError(`attachment of ${data.length} bytes exceeds the cap of ${ATTACHMENT_LIMITS.maxBytes}`);
  }
  const attachmentId = env.rng(ATTACHMENT_ID_BYTES);
  const fileKey = env.rng(ATTACHMENT_KEY_BYTES);
  const chunkCount = chunkCountFor(data.length);
  const draft: AttachmentRef = {
    attachmentId,
    fileKey,
    size: data.length,
    chunkCount,
    firstChunkHash: chainEnd(),
    mediaType: meta.mediaType,
    fileName: meta.fileName,
  };
  encode(attachmentRefCodec, draft); // refuses bad metadata (UsageError) before any work is done
  const keys = await deriveAttachmentChunkKeys(fileKey, attachmentId, chunkCount);
  // PROTOCOL §8.3: sealed from the last chunk to the first, each carrying h_{i+1}, the hash of the next.
  const reversed: Uint8Array[] = [];
  let next = chainEnd();
  for (let i = chunkCount - 1; i >= 0; i--) {
    const sealed = await aesGcmEncrypt(keys.key, chunkIv(keys, i), chunkPlaintext(data, i, next), chunkAad(keys, i));
    reversed.push(sealed);
    next = await chunkHash(i, sealed);
    onProgress?.(chunkCount - i, chunkCount);
  }
  return { ref: { ...draft, firstChunkHash: next }, chunks: reversed.reverse() };
}
