/**
 * Frames the relay sends to a client (docs/PROTOCOL.md §16.3). Clients decode them as strictly as
 * the relay decodes theirs: the relay is not trusted.
 */
import { fixedBytes, struct, u16, u32, u64, u8, varBytes } from '../codec.js';
import { type DeviceId, deviceIdCodec } from '../ids.js';
import { LIMITS } from '../limits.js';
import { TEAM_SIGNAL_MAX_BYTES } from './client-frames.js';
import { type FrameBodies, frameFamily } from './frame-header.js';

export const CHALLENGE_BYTES = 32;

export const RELAY_FRAME_TYPES = {
  challenge: 0x01,
  ready: 0x02,
  stored: 0x03,
  deliver: 0x04,
  error: 0x05,
  nudge: 0x06,
  'team-signal': 0x07,
} as const;

/** Roles in a ready frame. */
export const ROLES = { device: 1, visitor: 2 } as const;

/** §16.3.1: sent first on every connection; a device signs it (device-auth.ts). */
export interface ChallengeFrame {
  type: 'challenge';
  challenge: Uint8Array;
}

/** §16.3.2: the hello was accepted; queued messages follow as deliver frames. */
export interface ReadyFrame {
  type: 'ready';
  role: number;
}

/** §16.3.3: the envelope of send `requestId` is committed to disk under `cursor`. */
export interface StoredFrame {
  type: 'stored';
  requestId: number;
  cursor: number;
}

/** §16.3.4: one queued envelope; cursors grow strictly within a connection's queue. */
export interface DeliverFrame {
  type: 'deliver';
  cursor: number;
  envelope: Uint8Array;
}

/** §16.3.5: `code` from FRAME_ERRORS; `requestId` is the send it answers, or 0. */
export interface ErrorFrame {
  type: 'error';
  requestId: number;
  code: number;
}

/**
 * §16.11: the account's history changed (a sibling device wrote a record that asked for it). No
 * fields: no record, author or conversation. The client reads the history again.
 */
export interface NudgeFrame {
  type: 'nudge';
}

/**
 * §16.12: a team signal another device of the account sent, forwarded as received with the device
 * the relay authenticated on that connection. Neither is trusted: the blob is signed and sealed (§9.9).
 */
export interface TeamSignalRelayFrame {
  type: 'team-signal';
  author: DeviceId;
  blob: Uint8Array;
}

export type RelayFrame =
  ChallengeFrame | ReadyFrame | StoredFrame | DeliverFrame | ErrorFrame | NudgeFrame | TeamSignalRelayFrame;

const bodies: FrameBodies<RelayFrame> = {
  challenge: struct({ challenge: fixedBytes(CHALLENGE_BYTES) }),
  ready: struct({ role: u8 }),
  stored: struct({ requestId: u32, cursor: u64 }),
  deliver: struct({ cursor: u64, envelope: varBytes(LIMITS.maxEnvelopeBytes) }),
  error: struct({ requestId: u32, code: u16 }),
  nudge: struct({}),
  'team-signal': struct({ author: deviceIdCodec, blob: varBytes(TEAM_SIGNAL_MAX_BYTES) }),
};

const family = frameFamily<RelayFrame>(RELAY_FRAME_TYPES, bodies);

export const encodeRelayFrame: (frame: RelayFrame) => Uint8Array = family.encode;

/** FrameDecodeError (a DecodeError, carrying the reason the relay reports) on anything but one valid frame. */
export const decodeRelayFrame: (bytes: Uint8Array) => RelayFrame = family.decode;
