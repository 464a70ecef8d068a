/**
 * Error codes the relay sends in an `error` frame (docs/PROTOCOL.md §16.4). Stable numbers: a
 * client switches on them. After any of these the connection stays open for valid traffic,
 * except `auth-failed`, `slow-consumer` and frames the WebSocket layer itself refuses.
 */
export const FRAME_ERRORS = {
  /** The frame does not parse (bad length, trailing bytes, wrong id length, empty). */
  'malformed-frame': 1,
  /** The frame's version byte is not FRAME_VERSION. */
  'unsupported-version': 2,
  /** The frame is larger than LIMITS.maxFrameBytes. */
  'frame-too-large': 3,
  /** The frame type byte is unknown, or the frame is relay-to-client only. */
  'unknown-frame-type': 4,
  /** A frame other than a hello before authentication. */
  'not-authenticated': 5,
  /** Hello refused: unknown device, bad signature, wrong capability. The relay then closes. */
  'auth-failed': 6,
  /** The envelope names a conversation or recipient this connection may not write to. */
  forbidden: 7,
  /** The envelope names a device the account has not enrolled. */
  'unknown-recipient': 8,
  /** More frames per second than the relay allows; the frame was dropped. */
  'rate-limited': 9,
  /** The envelope inside a send frame does not parse (PROTOCOL §2.6). */
  'malformed-envelope': 10,
  /** A second hello on an authenticated connection. */
  'already-authenticated': 11,
  /** The relay could not store the envelope; resend it. */
  'storage-failed': 12,
  /** A text WebSocket message: only binary frames are defined. */
  'text-frame': 13,
  /** Hello refused: the device or conversation has SEALDESK_SOCKETS_PER_QUEUE connections open. The relay then closes. */
  'too-many-connections': 14,
  /** The recipient's queue holds SEALDESK_MAX_QUEUE_MESSAGES undelivered messages; resend later. */
  'queue-full': 15,
  /** Hello refused: the account blocked this conversation's visitor (§16.10). The relay then closes with 4403. */
  blocked: 16,
  /** §16.12: over this connection's team-signal rate; the signal was dropped (nothing to resend). */
  'signal-rate-limited': 17,
} as const;

export type FrameErrorName = keyof typeof FRAME_ERRORS;

/** The name of a numeric error code, or undefined for a code this build does not know. */
export function frameErrorName(code: number): FrameErrorName | undefined {
  for (const [name, value] of Object.entries(FRAME_ERRORS) as [FrameErrorName, number][]) {
    if (value === code) return name;
  }
  return undefined;
}
