/**
 * Decrypting an attachment (docs/PROTOCOL.md §8.4–§8.5; security brief F16, issue #17 item 6).
 * The reference comes from an authenticated (ratchet-decrypted) message; the chunks come from the
 * untrusted relay. A whole download is checked for (1) the chunk count (missing-chunks /
 * extra-chunks) and (2) every chunk's length (chunk-size) before any other work; then each chunk
 * i, in order, holding the expected hash h_i (h_0 from the reference, h_{i+1} from chunk i):
 *   3. the chunk hash equals h_i, BEFORE anything of it is decrypted (hash-mismatch: a substituted,
 *      reordered, swapped or altered chunk, whoever made it — the sender included);
 *   4. it authenticates at its position: index, count and last flag are in the AAD, the IV derives
 *      from the index, the key from this file only (chunk-auth);
 *   5. the last chunk ends the chain: its next hash is 32 zero bytes (hash-mismatch);
 *   6. the padding it holds after `size` is all zero (padding).
 * Each failure is an AttachmentTamperedError (an AttachmentIntegrityError that carries the
 * `attachment-tampered` alert). Progressive display (openAttachmentChunk) shows chunk i only once
 * 3–6 passed for it; openAttachment returns nothing unless every chunk passed.
 */
import { aesGcmDecrypt, concatBytes, constantTimeEqual } from '../../crypto/index.js';
import { DecryptError, UsageError } from '../../errors/index.js';
import { encode } from '../../wire/index.js';
import { chunkHash } from './attachment-chain.js';
import { type AttachmentRef, attachmentRefCodec } from './attachment-codec.js';
import { ATTACHMENT_FAILURES, AttachmentTamperedError } from './attachment-errors.js';
import { type AttachmentChunkKeys, chunkAad, chunkIv, deriveAttachmentChunkKeys } from './attachment-keys.js';
import { ATTACHMENT_LIMITS, CHUNK_HASH_BYTES, chunkPayloadLength, sealedChunkLength } from './attachment-limits.js';
import type { AttachmentProgress } from './attachment-seal.js';

/** One verified chunk. */
export interface OpenedAttachmentChunk {
  /** The file's bytes in this chunk, padding removed (empty for a chunk that holds only padding). */
  readonly data: Uint8Array;
  /** h_{i+1}: the hash the next chunk must have (32 zero bytes after the last chunk). */
  readonly nextHash: Uint8Array;
}

/** Derives the chunk keys of an (authenticated) reference, e.g. for progressive display. */
export async function attachmentChunkKeys(ref: AttachmentRef): Promise<AttachmentChunkKeys> {
  encode(attachmentRefCodec, ref); // UsageError for a reference that could never have been decoded
  return deriveAttachmentChunkKeys(ref.fileKey, ref.attachmentId, ref.chunkCount);
}

function checkShape(ref: AttachmentRef, index: number, sealed: Uint8Array): void {
  if (!Number.isInteger(index) || index < 0 || index >= ref.chunkCount) {
    throw new AttachmentTamperedError(ATTACHMENT_FAILURES.extraChunks, `index outside 0..${ref.chunkCount - 1}`, index);
  }
  const expected = sealedChunkLength(ref.size, index);
  if (sealed.length !== expected) {
    throw new AttachmentTamperedError(
      ATTACHMENT_FAILURES.chunkSize,
      `${sealed.length} bytes, expected ${expected}`,
      index,
    );
  }
}

async function decryptChunk(keys: AttachmentChunkKeys, index: number, sealed: Uint8Array): Promise<Uint8Array> {
  try {
    return await aesGcmDecrypt(keys.key, chunkIv(keys, index), sealed, chunkAad(keys, index));
  } catch (error) {
    if (!(error instanceof DecryptError)) throw error;
    const detail = 'chunk does not authenticate at this position';
    throw new AttachmentTamperedError(ATTACHMENT_FAILURES.chunkAuth, detail, index, { cause: error });
  }
}

/**
 * Opens chunk `index` for progressive display, given `expectedHash` = h_index (the reference's
 * `firstChunkHash` for chunk 0, the previous chunk's `nextHash` after that). Nothing of the chunk
 * is decrypted unless it matches h_index, and nothing is returned unless all its checks pass.
 */
export async function openAttachmentChunk(
  keys: AttachmentChunkKeys,
  ref: AttachmentRef,
  index: number,
  sealed: Uint8Array,
  expectedHash: Uint8Array,
): Promise<OpenedAttachmentChunk> {
  if (expectedHash.length !== CHUNK_HASH_BYTES) throw new UsageError(`expected hash must be ${CHUNK_HASH_BYTES} bytes`);
  checkShape(ref, index, sealed);
  // #17.6 / F16: the commitment is checked first, so a substituted chunk is never decrypted or shown.
  if (!constantTimeEqual(await chunkHash(index, sealed), expectedHash)) {
    const detail = 'chunk does not match the hash committed for its position';
    throw new AttachmentTamperedError(ATTACHMENT_FAILURES.hashMismatch, detail, index);
  }
  const plain = await decryptChunk(keys, index, sealed);
  const payloadLength = chunkPayloadLength(ref.size, index);
  const nextHash = plain.slice(payloadLength);
  if (index === ref.chunkCount - 1 && !nextHash.every((b) => b === 0)) {
    throw new AttachmentTamperedError(ATTACHMENT_FAILURES.hashMismatch, 'the last chunk does not end the chain', index);
  }
  const start = index * ATTACHMENT_LIMITS.chunkPayloadBytes;
  const dataLength = Math.max(0, Math.min(payloadLength, ref.size - start));
  if (!plain.subarray(dataLength, payloadLength).every((b) => b === 0)) {
    throw new AttachmentTamperedError(ATTACHMENT_FAILURES.padding, 'non-zero padding', index);
  }
  return { data: plain.slice(0, dataLength), nextHash };
}

/** Opens a whole attachment from its sealed chunks, in order. See the checks above. */
export async function openAttachment(
  ref: AttachmentRef,
  chunks: readonly Uint8Array[],
  onProgress?: AttachmentProgress,
): Promise<Uint8Array> {
  if (chunks.length < ref.chunkCount) {
    throw new AttachmentTamperedError(
      ATTACHMENT_FAILURES.missingChunks,
      `${chunks.length} of ${ref.chunkCount} chunks`,
    );
  }
  if (chunks.length > ref.chunkCount) {
    const detail = `${chunks.length} chunks, expected ${ref.chunkCount}`;
    throw new AttachmentTamperedError(ATTACHMENT_FAILURES.extraChunks, detail);
  }
  chunks.forEach((chunk, i) => {
    checkShape(ref, i, chunk);
  });
  const keys = await attachmentChunkKeys(ref);
  const parts: Uint8Array[] = [];
  let expected = ref.firstChunkHash;
  for (const [i, chunk] of chunks.entries()) {
    const opened = await openAttachmentChunk(keys, ref, i, chunk, expected);
    parts.push(opened.data);
    expected = opened.nextHash;
    onProgress?.(i + 1, chunks.length);
  }
  return concatBytes(...parts);
}

/** Opens an attachment stored as one blob (the sealed chunks concatenated). */
export async function openAttachmentBlob(
  ref: AttachmentRef,
  blob: Uint8Array,
  onProgress?: AttachmentProgress,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; i < ref.chunkCount; i++) {
    const length = sealedChunkLength(ref.size, i);
    if (offset + length > blob.length) {
      const detail = `blob of ${blob.length} bytes ends inside chunk ${i}`;
      throw new AttachmentTamperedError(ATTACHMENT_FAILURES.missingChunks, detail, i);
    }
    chunks.push(blob.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== blob.length) {
    const detail = `${blob.length - offset} bytes after the last chunk`;
    throw new AttachmentTamperedError(ATTACHMENT_FAILURES.extraChunks, detail);
  }
  return openAttachment(ref, chunks, onProgress);
}
