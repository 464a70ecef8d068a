/**
 * shared/protocol/attachment: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * Attachments (docs/PROTOCOL.md §8): seal and open a file under its own key, chunk by chunk.
 */
export { ATTACHMENT_LIMITS, type AttachmentRef, attachmentRefCodec, chunkCountFor } from './attachment-codec.js';
export { ATTACHMENT_FAILURES, type AttachmentFailure, AttachmentTamperedError } from './attachment-errors.js';
export { openAttachment, openAttachmentBlob } from './attachment-open.js';
export {
  type AttachmentMeta,
  type AttachmentProgress,
  sealAttachment,
  type SealedAttachment,
} from './attachment-seal.js';
