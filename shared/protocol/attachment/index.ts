/**
 * shared/protocol/attachment: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * Attachments (docs/PROTOCOL.md §8): seal and open a file under its own key, chunk by chunk, each
 * chunk checked against the hash chain that the reference commits to before it is decrypted.
 */
export { type AttachmentRef, attachmentRefCodec } from './attachment-codec.js';
export { ATTACHMENT_LIMITS, chunkCountFor } from './attachment-limits.js';
export { ATTACHMENT_FAILURES, type AttachmentFailure, AttachmentTamperedError } from './attachment-errors.js';
export {
  attachmentChunkKeys,
  openAttachment,
  openAttachmentBlob,
  openAttachmentChunk,
  type OpenedAttachmentChunk,
} from './attachment-open.js';
export { type AttachmentChunkKeys } from './attachment-keys.js';
export {
  type AttachmentMeta,
  type AttachmentProgress,
  sealAttachment,
  type SealedAttachment,
} from './attachment-seal.js';
