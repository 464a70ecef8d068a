/**
 * The attachment failures of docs/PROTOCOL.md §8.4–§8.5: an AttachmentIntegrityError that also carries
 * the `attachmentTampered` alert the UI shows and which check failed. Never carries key material
 * or content: only the reason and a chunk index.
 */
import { ALERT_KINDS, type SecurityAlert, AttachmentIntegrityError, SUSPECTS } from '../core/index.js';

export const ATTACHMENT_FAILURES = {
  /** Fewer chunks (or bytes) than the authenticated reference announces: dropped or truncated. */
  missingChunks: 'missing-chunks',
  /** More chunks (or bytes) than announced. */
  extraChunks: 'extra-chunks',
  /** A chunk of the wrong length for its position. */
  chunkSize: 'chunk-size',
  /** A chunk that matches its committed hash but does not authenticate at its position (a sender's malformed file). */
  chunkAuth: 'chunk-auth',
  /**
   * A sealed chunk that does not hash to the value committed for its position (by the reference for
   * chunk 0, by the previous chunk after that): substituted, reordered, swapped or altered; or a last
   * chunk that does not end the chain. Checked before the chunk is decrypted.
   */
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
    // PROTOCOL §7.8 suspects: the relay stores the chunks (the sender's identity is not known at this layer).
    this.alert = {
      kind: ALERT_KINDS.attachmentTampered,
      detail: `attachment ${reason}${where}`,
      suspects: [SUSPECTS.relay],
    };
  }
}
