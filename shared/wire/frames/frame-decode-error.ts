/**
 * A frame that cannot be accepted, with the documented reason the relay reports for it
 * (docs/PROTOCOL.md §16.4). It is a DecodeError, so callers that only care about "bad input"
 * can catch that.
 */
import { DecodeError } from '../../errors/index.js';
import type { FrameErrorName } from './error-codes.js';

export type FrameDecodeReason = Extract<
  FrameErrorName,
  'malformed-frame' | 'unsupported-version' | 'frame-too-large' | 'unknown-frame-type'
>;

export class FrameDecodeError extends DecodeError {
  readonly reason: FrameDecodeReason;

  constructor(reason: FrameDecodeReason, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
