/**
 * Per-chunk keys and IVs of an attachment (docs/PROTOCOL.md §8.3).
 *
 *   chunkKey || ivBase = HKDF-SHA-256(ikm = fileKey, salt = attachmentId,
 *                                     info = "sealdesk/v2/attachment/chunk-keys", L = 44)
 *   iv(i)              = ivBase XOR (0x00 * 8 || u32be(i))        (as RFC 8446 §5.3 per-record nonces)
 *   aad(i)             = "sealdesk/v2/attachment/chunk-aad" || 0x00 || chunkAad(i)
 *
 * The file key is random and used for one file only; every index gives a distinct IV, so no
 * (key, IV) pair repeats (SP 800-38D §8.2.1 deterministic construction).
 */
import { importAesGcmKey, utf8Encode, hkdfSha256 } from '../../crypto/index.js';
import { encode } from '../../wire/index.js';
import { chunkAadCodec } from './attachment-codec.js';
import { ATTACHMENT_LABELS, attachmentLabelled } from './attachment-labels.js';

export interface AttachmentChunkKeys {
  readonly attachmentId: Uint8Array;
  readonly chunkCount: number;
  /** Non-extractable AES-256-GCM key. */
  readonly key: CryptoKey;
  readonly ivBase: Uint8Array;
}

export async function deriveAttachmentChunkKeys(
  fileKey: Uint8Array,
  attachmentId: Uint8Array,
  chunkCount: number,
): Promise<AttachmentChunkKeys> {
  const okm = await hkdfSha256(fileKey, attachmentId, utf8Encode(ATTACHMENT_LABELS.chunkKeys), 44);
  const key = await importAesGcmKey(okm.subarray(0, 32));
  okm.fill(0, 0, 32);
  return { attachmentId, chunkCount, key, ivBase: okm.slice(32, 44) };
}

export function chunkIv(keys: AttachmentChunkKeys, index: number): Uint8Array {
  const iv = new Uint8Array(keys.ivBase);
  const counter = [index >>> 24, (index >>> 16) & 0xff, (index >>> 8) & 0xff, index & 0xff];
  for (let i = 0; i < 4; i++) iv[8 + i] = (iv[8 + i] ?? 0) ^ (counter[i] ?? 0);
  return iv;
}

export function chunkAad(keys: AttachmentChunkKeys, index: number): Uint8Array {
  // F16: index, count and the last-chunk flag are authenticated with every chunk.
  const body = encode(chunkAadCodec, {
    attachmentId: keys.attachmentId,
    index,
    chunkCount: keys.chunkCount,
    last: index === keys.chunkCount - 1,
  });
  return attachmentLabelled(ATTACHMENT_LABELS.chunkAad, body);
}
