/**
 * Byte layouts of encrypted attachments (docs/PROTOCOL.md §8.2–§8.3).
 *
 *   attachmentRef = u8 version | u8 suite | attachmentId[16] | fileKey[32] | u64 size
 *                   | u32 chunkCount | ciphertextHash[32] | mediaType (u32 len, UTF-8, <= 127)
 *                   | u8 present | fileName (u32 len, UTF-8, <= 128)
 *   chunkAad      = "sealdesk/v2/attachment/chunk-aad" || 0x00 ||
 *                   (u8 version | u8 suite | attachmentId[16] | u32 index | u32 chunkCount | u8 last)
 *
 * The reference travels only inside a ratchet-encrypted conversation message: it holds the key.
 */
import { type Codec, bool, fixedBytes, optional, refine, struct, u32, u64, utf8String } from '../../wire/index.js';
import { validateDisplayName } from '../identity/index.js';
import { padmeLength } from './attachment-padding.js';
import { versioned } from '../core/index.js';

export const ATTACHMENT_LIMITS = {
  /** Plaintext bytes per chunk (the last chunk may be shorter). */
  chunkBytes: 65_536,
  /** Largest attachment plaintext: 100 MiB. */
  maxBytes: 104_857_600,
  /** Chunks of the largest padded attachment. */
  maxChunks: Math.ceil(padmeLength(104_857_600) / 65_536),
  /** RFC 6838 §4.2: type "/" subtype, each at most 127 characters; we cap the whole at 127. */
  maxMediaTypeBytes: 127,
  /** UTF-8 bytes of a file name (same rules as a display name, security brief §4). */
  maxFileNameBytes: 128,
} as const;

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
  /** SHA-256 of the sealed chunks concatenated in order (the stored blob). */
  readonly ciphertextHash: Uint8Array;
  readonly mediaType: string;
  readonly fileName: string | undefined;
}

export interface ChunkAad {
  readonly attachmentId: Uint8Array;
  readonly index: number;
  readonly chunkCount: number;
  readonly last: boolean;
}

// RFC 6838 §4.2 restricted-name characters.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

const mediaTypeCodec = refine(utf8String(ATTACHMENT_LIMITS.maxMediaTypeBytes), (t) =>
  MEDIA_TYPE.test(t) ? undefined : 'media type is not of the form type/subtype (RFC 6838 §4.2)',
);

function fileNameProblem(name: string): string | undefined {
  try {
    validateDisplayName(name);
    return /[/\\]/.test(name) ? 'file name contains a path separator' : undefined;
  } catch (error) {
    return error instanceof Error ? `file ${error.message}` : 'file name rejected';
  }
}

const fileNameCodec = refine(utf8String(ATTACHMENT_LIMITS.maxFileNameBytes), fileNameProblem);

/** The number of chunks a file of `size` plaintext bytes is sealed into (at least one). */
export function chunkCountFor(size: number): number {
  return Math.max(1, Math.ceil(padmeLength(size) / ATTACHMENT_LIMITS.chunkBytes));
}

const refFields = struct<AttachmentRef>({
  attachmentId: fixedBytes(ATTACHMENT_ID_BYTES),
  fileKey: fixedBytes(ATTACHMENT_KEY_BYTES),
  size: refine(u64, (n) =>
    n <= ATTACHMENT_LIMITS.maxBytes ? undefined : `size ${n} exceeds the cap of ${ATTACHMENT_LIMITS.maxBytes}`,
  ),
  chunkCount: u32,
  ciphertextHash: fixedBytes(32),
  mediaType: mediaTypeCodec,
  fileName: optional(fileNameCodec),
});

export const attachmentRefCodec: Codec<AttachmentRef> = versioned(
  refine(refFields, (ref) =>
    ref.chunkCount === chunkCountFor(ref.size)
      ? undefined
      : `chunk count ${ref.chunkCount} does not match size ${ref.size}`,
  ),
);

export const chunkAadCodec: Codec<ChunkAad> = versioned(
  struct<ChunkAad>({
    attachmentId: fixedBytes(ATTACHMENT_ID_BYTES),
    index: u32,
    chunkCount: u32,
    last: bool,
  }),
);
