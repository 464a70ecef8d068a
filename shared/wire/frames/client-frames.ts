/**
 * Frames a client sends to the relay (docs/PROTOCOL.md §16.2). Layout of each: frame header
 * (§16.1), then the fields below in order, with the wire encoding of §2.
 */
import { fixedBytes, struct, u32, u64, varBytes } from '../codec.js';
import {
  type AccountId,
  type ConversationId,
  type DeviceId,
  accountIdCodec,
  conversationIdCodec,
  deviceIdCodec,
} from '../ids.js';
import { LIMITS } from '../limits.js';
import { type FrameBodies, frameFamily } from './frame-header.js';

export const CAPABILITY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
/** §16.12: the largest team-signal blob the relay forwards (an honest one is 145 bytes, §9.9). */
export const TEAM_SIGNAL_MAX_BYTES = 256;

export const CLIENT_FRAME_TYPES = {
  'hello-device': 0x10,
  'hello-visitor': 0x11,
  send: 0x12,
  ack: 0x13,
  'team-signal': 0x14,
} as const;

/** §16.2.1: an enrolled device answers the relay's challenge (see device-auth.ts). */
export interface HelloDeviceFrame {
  type: 'hello-device';
  accountId: AccountId;
  deviceId: DeviceId;
  signature: Uint8Array;
  /** Deliver only messages with a cursor above this (0 = everything still queued). */
  resumeAfter: number;
}

/** §16.2.2: a visitor presents the conversation's secret capability. */
export interface HelloVisitorFrame {
  type: 'hello-visitor';
  conversationId: ConversationId;
  capability: Uint8Array;
  resumeAfter: number;
}

/** §16.2.3: one encoded envelope (§2.6) to store and route; `requestId` is echoed in stored/error. */
export interface SendFrame {
  type: 'send';
  requestId: number;
  envelope: Uint8Array;
}

/** §16.2.4: every delivered message with cursor <= `cursor` was received and may be deleted. */
export interface AckFrame {
  type: 'ack';
  cursor: number;
}

/**
 * §16.12: an ephemeral team signal (§9.9) for the account's other connected devices; opaque to the
 * relay, never stored, no answer unless refused.
 */
export interface TeamSignalFrame {
  type: 'team-signal';
  blob: Uint8Array;
}

export type ClientFrame = HelloDeviceFrame | HelloVisitorFrame | SendFrame | AckFrame | TeamSignalFrame;

const bodies: FrameBodies<ClientFrame> = {
  'hello-device': struct({
    accountId: accountIdCodec,
    deviceId: deviceIdCodec,
    signature: fixedBytes(ED25519_SIGNATURE_BYTES),
    resumeAfter: u64,
  }),
  'hello-visitor': struct({
    conversationId: conversationIdCodec,
    capability: fixedBytes(CAPABILITY_BYTES),
    resumeAfter: u64,
  }),
  send: struct({ requestId: u32, envelope: varBytes(LIMITS.maxEnvelopeBytes) }),
  ack: struct({ cursor: u64 }),
  'team-signal': struct({ blob: varBytes(TEAM_SIGNAL_MAX_BYTES) }),
};

const family = frameFamily<ClientFrame>(CLIENT_FRAME_TYPES, bodies);

export const encodeClientFrame: (frame: ClientFrame) => Uint8Array = family.encode;

/** FrameDecodeError (a DecodeError, carrying the reason the relay reports) on anything but one valid frame. */
export const decodeClientFrame: (bytes: Uint8Array) => ClientFrame = family.decode;
