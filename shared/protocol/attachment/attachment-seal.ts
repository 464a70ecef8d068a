/**
 * Encrypting an attachment (docs/PROTOCOL.md §8; security brief F16): a per-file random 256-bit
 * key, Padmé length padding, fixed-size chunks each sealed with AES-256-GCM under a derived IV with
 * index, count and last-chunk flag in the associated data, and SHA-256 over the sealed chunks.
 * The returned reference goes inside a ratchet-encrypted message; the chunks go to the relay.
 */
import { aesGcmEncrypt, concatBytes, sha256 } from '../../crypto/index.js';
import { LimitError } from '../../errors/index.js';
import { encode } from '../../wire/index.js';
import {
  ATTACHMENT_ID_BYTES,
  ATTACHMENT_KEY_BYTES,
  ATTACHMENT_LIMITS,
  type AttachmentRef,
  attachmentRefCodec,
  chunkCountFor,
} from './attachment-codec.js';
import { chunkAad, chunkIv, deriveAttachmentChunkKeys } from './attachment-keys.js';
import { padmeLength } from './attachment-padding.js';
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
    ciphertextHash: new Uint8Array(32),
    mediaType: meta.mediaType,
    fileName: meta.fileName,
  };
  encode(attachmentRefCodec, draft); // refuses bad metadata (UsageError) before any work is done
  const paddedLength = padmeLength(data.length);
  const keys = await deriveAttachmentChunkKeys(fileKey, attachmentId, chunkCount);
  const chunks: Uint8Array[] = [];
  const size = ATTACHMENT_LIMITS.chunkBytes;
  for (let i = 0; i < chunkCount; i++) {
    const start = i * size;
    const end = Math.min(start + size, paddedLength);
    let plain = data.subarray(start, end);
    if (end > data.length) {
      // Only the tail of the file is padded (Padmé, §8.3): copy it into a zero-filled chunk.
      plain = new Uint8Array(end - start);
      plain.set(data.subarray(Math.min(start, data.length)));
    }
    chunks.push(await aesGcmEncrypt(keys.key, chunkIv(keys, i), plain, chunkAad(keys, i)));
    onProgress?.(i + 1, chunkCount);
  }
  const ref: AttachmentRef = { ...draft, ciphertextHash: await sha256(concatBytes(...chunks)) };
  return { ref, chunks };
}
