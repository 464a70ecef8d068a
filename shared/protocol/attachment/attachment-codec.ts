/**
 * Byte layouts of encrypted attachments (docs/PROTOCOL.md §8.2–§8.3).
 *
 *   attachmentRef = u8 version | u8 suite | attachmentId[16] | fileKey[32] | u64 size
 *                   | u32 chunkCount | firstChunkHash[32] | mediaType (u32 len, UTF-8, <= 127)
 *                   | u8 present | fileName (u32 len, UTF-8, <= 128)
 *   chunkAad      = "sealdesk/v2/attachment/chunk-aad" || 0x00 ||
 *                   (u8 version | u8 suite | attachmentId[16] | u32 index | u32 chunkCount | u8 last)
 *
 * The reference travels only inside a ratchet-encrypted conversation message: it holds the key.
 * It is the one attachment reference of the protocol: the `attachment` message kind (§7.3) carries
 * exactly this encoding. Its rules (attachment-rules.ts) are part of the codec: a writer refuses a
 * reference that breaks them (UsageError), a reader refuses it with InvalidContentError.
 */
import { type Codec, bool, fixedBytes, optional, struct, u32, u64, utf8String } from '../../wire/index.js';
import { InvalidContentError, versioned } from '../core/index.js';
import { ATTACHMENT_LIMITS, CHUNK_HASH_BYTES } from './attachment-limits.js';
import { attachmentRefProblem } from './attachment-rules.js';

export const ATTACHMENT_ID_BYTES = 16;
export const ATTACHMENT_KEY_BYTES = 32;

/** What the sender puts in the (ratchet-encrypted) message so that recipients can fetch and open a file. */
export interface AttachmentRef {
  readonly attachmentId: Uint8Array;
  /** Per-file random 256-bit key (secret). */
  readonly fileKey: Uint8Array;
  /** Plaintext bytes before padding. */
  readonly size: number;
  readonly chunkCount: number;
  /** h_0, the hash of sealed chunk 0: the head of the chunk hash chain (§8.3), committing to every chunk. */
  readonly firstChunkHash: Uint8Array;
  readonly mediaType: string;
  readonly fileName: string | undefined;
}

export interface ChunkAad {
  readonly attachmentId: Uint8Array;
  readonly index: number;
  readonly chunkCount: number;
  readonly last: boolean;
}

const refLayout: Codec<AttachmentRef> = versioned(
  struct<AttachmentRef>({
    attachmentId: fixedBytes(ATTACHMENT_ID_BYTES),
    fileKey: fixedBytes(ATTACHMENT_KEY_BYTES),
    size: u64,
    chunkCount: u32,
    firstChunkHash: fixedBytes(CHUNK_HASH_BYTES),
    mediaType: utf8String(ATTACHMENT_LIMITS.maxMediaTypeBytes),
    fileName: optional(utf8String(ATTACHMENT_LIMITS.maxFileNameBytes)),
  }),
);

/** The layout, then the rules of §8.2 (attachment-rules.ts). */
export const attachmentRefCodec: Codec<AttachmentRef> = {
  write: (w, ref) => {
    refLayout.write(w, ref);
    const problem = attachmentRefProblem(ref);
    if (problem !== undefined) throw w.fail(problem.rule);
  },
  read: (r) => {
    const ref = refLayout.read(r);
    const problem = attachmentRefProblem(ref);
    // PROTOCOL §8.2 / issue #9 item 7: refused where it is decoded, never shown.
    if (problem !== undefined) {
      throw new InvalidContentError(`attachment reference refused: ${problem.rule}`, { cause: problem.cause });
    }
    return ref;
  },
};

export const chunkAadCodec: Codec<ChunkAad> = versioned(
  struct<ChunkAad>({
    attachmentId: fixedBytes(ATTACHMENT_ID_BYTES),
    index: u32,
    chunkCount: u32,
    last: bool,
  }),
);
