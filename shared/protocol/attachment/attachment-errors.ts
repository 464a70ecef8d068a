/**
 * The attachment failure of docs/PROTOCOL.md §8.5: an AttachmentIntegrityError that also carries
 * the `attachmentTampered` alert the UI shows and which check failed. Never carries key material
 * or content: only the reason and a chunk index.
 */
import { ALERT_KINDS, type SecurityAlert, AttachmentIntegrityError } from '../core/index.js';

export const ATTACHMENT_FAILURES = {
  /** Fewer chunks (or bytes) than the authenticated reference announces: dropped or truncated. */
  missingChunks: 'missing-chunks',
  /** More chunks (or bytes) than announced. */
  extraChunks: 'extra-chunks',
  /** A chunk of the wrong length for its position. */
  chunkSize: 'chunk-size',
  /** A chunk that does not authenticate at its position: reordered, swapped from another file, or altered. */
  chunkAuth: 'chunk-auth',
  /** The sealed chunks do not hash to the reference's ciphertext hash. */
  hashMismatch: 'hash-mismatch',
  /** Non-zero padding bytes after the announced size. */
  padding: 'padding',
} as const;
export type AttachmentFailure = (typeof ATTACHMENT_FAILURES)[keyof typeof ATTACHMENT_FAILURES];

export class AttachmentTamperedError extends AttachmentIntegrityError {
  readonly reason: AttachmentFailure;
  readonly chunkIndex: number | undefined;
  readonly alert: SecurityAlert;

  constructor(reason: AttachmentFailure, detail: string, chunkIndex?: number, options?: { readonly cause?: unknown }) {
    const where = chunkIndex === undefined ? '' : ` (chunk ${chunkIndex})`;
    super(`attachment rejected: ${reason}${where}: ${detail}`, options);
    this.reason = reason;
    this.chunkIndex = chunkIndex;
    this.alert = { kind: ALERT_KINDS.attachmentTampered, detail: `attachment ${reason}${where}` };
  }
}
