/**
 * Decrypting an attachment (docs/PROTOCOL.md §8.4–§8.5; security brief F16). The reference comes
 * from an authenticated (ratchet-decrypted) message; the chunks come from the untrusted relay.
 * Checks, in order, each failing with AttachmentTamperedError (an AttachmentIntegrityError that
 * carries the `attachmentTampered` alert):
 *   1. chunk count equals the reference's (dropped or truncated chunks: missing-chunks);
 *   2. every chunk has the length its position implies (chunk-size);
 *   3. every chunk authenticates at its position: index, count and last flag are in the AAD, the
 *      IV derives from the index, the key from this file only (reordered / swapped: chunk-auth);
 *   4. SHA-256 over the sealed chunks equals the reference's hash (hash-mismatch);
 *   5. padding after `size` is all zero (padding).
 * No plaintext is returned unless every check passes.
 */
import { aesGcmDecrypt, concatBytes, constantTimeEqual, sha256 } from '../../crypto/index.js';
import { DecryptError } from '../../errors/index.js';
import { encode } from '../../wire/index.js';
import { ATTACHMENT_LIMITS, type AttachmentRef, attachmentRefCodec } from './attachment-codec.js';
import { ATTACHMENT_FAILURES, AttachmentTamperedError } from './attachment-errors.js';
import { type AttachmentChunkKeys, chunkAad, chunkIv, deriveAttachmentChunkKeys } from './attachment-keys.js';
import { padmeLength } from './attachment-padding.js';
import type { AttachmentProgress } from './attachment-seal.js';

const TAG = 16;

/** Sealed length of chunk `index` of `ref`. */
function sealedChunkLength(ref: AttachmentRef, index: number): number {
  const padded = padmeLength(ref.size);
  const start = index * ATTACHMENT_LIMITS.chunkBytes;
  return Math.min(ATTACHMENT_LIMITS.chunkBytes, padded - start) + TAG;
}

/** Derives the chunk keys of an (authenticated) reference, e.g. for progressive display. */
export async function attachmentChunkKeys(ref: AttachmentRef): Promise<AttachmentChunkKeys> {
  encode(attachmentRefCodec, ref); // UsageError for a reference that could never have been decoded
  return deriveAttachmentChunkKeys(ref.fileKey, ref.attachmentId, ref.chunkCount);
}

/**
 * Opens one chunk at `index` (progressive display). Each chunk is authenticated on its own; the
 * whole-file hash is only checked by openAttachment.
 */
export async function openAttachmentChunk(
  keys: AttachmentChunkKeys,
  ref: AttachmentRef,
  index: number,
  sealed: Uint8Array,
): Promise<Uint8Array> {
  if (!Number.isInteger(index) || index < 0 || index >= ref.chunkCount) {
    throw new AttachmentTamperedError(ATTACHMENT_FAILURES.extraChunks, `index outside 0..${ref.chunkCount - 1}`, index);
  }
  if (sealed.length !== sealedChunkLength(ref, index)) {
    throw new AttachmentTamperedError(
      ATTACHMENT_FAILURES.chunkSize,
      `${sealed.length} bytes, expected ${sealedChunkLength(ref, index)}`,
      index,
    );
  }
  try {
    return await aesGcmDecrypt(keys.key, chunkIv(keys, index), sealed, chunkAad(keys, index));
  } catch (error) {
    if (error instanceof DecryptError) {
      throw new AttachmentTamperedError(
        ATTACHMENT_FAILURES.chunkAuth,
        'chunk does not authenticate at this position',
        index,
        { cause: error },
      );
    }
    throw error;
  }
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
    throw new AttachmentTamperedError(
      ATTACHMENT_FAILURES.extraChunks,
      `${chunks.length} chunks, expected ${ref.chunkCount}`,
    );
  }
  chunks.forEach((chunk, i) => {
    const expected = sealedChunkLength(ref, i);
    if (chunk.length !== expected) {
      throw new AttachmentTamperedError(
        ATTACHMENT_FAILURES.chunkSize,
        `${chunk.length} bytes, expected ${expected}`,
        i,
      );
    }
  });
  const keys = await attachmentChunkKeys(ref);
  const plain: Uint8Array[] = [];
  for (let i = 0; i < chunks.length; i++) {
    plain.push(await openAttachmentChunk(keys, ref, i, chunks[i] ?? new Uint8Array(0)));
    onProgress?.(i + 1, chunks.length);
  }
  // F16: the hash carried in the authenticated message commits to the exact ciphertext.
  const hash = await sha256(concatBytes(...chunks));
  if (!constantTimeEqual(hash, ref.ciphertextHash)) {
    throw new AttachmentTamperedError(
      ATTACHMENT_FAILURES.hashMismatch,
      'sealed chunks do not match the hash in the message',
    );
  }
  const padded = concatBytes(...plain);
  for (let i = ref.size; i < padded.length; i++) {
    if (padded[i] !== 0) throw new AttachmentTamperedError(ATTACHMENT_FAILURES.padding, 'non-zero padding');
  }
  return padded.slice(0, ref.size);
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
    const length = sealedChunkLength(ref, i);
    if (offset + length > blob.length) {
      throw new AttachmentTamperedError(
        ATTACHMENT_FAILURES.missingChunks,
        `blob of ${blob.length} bytes ends inside chunk ${i}`,
        i,
      );
    }
    chunks.push(blob.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== blob.length) {
    throw new AttachmentTamperedError(
      ATTACHMENT_FAILURES.extraChunks,
      `${blob.length - offset} bytes after the last chunk`,
    );
  }
  return openAttachment(ref, chunks, onProgress);
}
