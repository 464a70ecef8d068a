/**
 * Byte layouts of the conversation layer (docs/PROTOCOL.md §7.2):
 *
 *   frame   = version | suite | conversationId[16] | senderId[16] | u32 seq | prevHash[32]
 *             | u64 sentAt | u32 deviceListVersion | deviceListHash[32] | list(ack) | body
 *                                                       (padded, then encrypted once: the "body")
 *   ack     = senderId[16] | u32 seq | hash[32]         (last in-order message seen from that sender)
 *   keys    = version | suite | contentKey[32] | bodyHash[32]   (the ratchet plaintext, per recipient)
 *   packet  = version | suite | conversationId[16] | senderId[16] | recipientId[16]
 *             | session packet | u32 length | body ciphertext   (the envelope body, per recipient)
 */
import {
  type Codec,
  fixedBytes,
  list,
  struct,
  u32,
  u64,
  varBytes,
  type ConversationId,
  conversationIdCodec,
  type DeviceId,
  deviceIdCodec,
  LIMITS,
} from '../../wire/index.js';
import { GCM_TAG_BYTES } from '../../crypto/index.js';
import { type MessageBody, messageBodyCodec } from './message-kinds.js';
import { MAX_PADDED_BYTES } from './padding.js';
import { type SessionPacket, sessionPacketCodec } from '../session/index.js';
import { versioned } from '../core/index.js';

/** Every device of the largest list plus the visitor. */
export const MAX_ACKS = LIMITS.maxDevicesPerList + 1;
export const MAX_BODY_CIPHERTEXT_BYTES = MAX_PADDED_BYTES + GCM_TAG_BYTES;

export interface AckEntry {
  readonly sender: DeviceId;
  readonly seq: number;
  readonly hash: Uint8Array;
}

export interface ConversationFrame {
  readonly conversationId: ConversationId;
  readonly senderId: DeviceId;
  /** Per-sender sequence number, from 1. */
  readonly seq: number;
  /** Hash of this sender's previous frame (32 zero bytes for seq 1). */
  readonly prevHash: Uint8Array;
  /** Milliseconds since the Unix epoch, the sender's clock (shown, never trusted for order). */
  readonly sentAt: number;
  /** The device list the sender holds (PROTOCOL §7.2, issue #17 item 4): version and chain hash. */
  readonly deviceListVersion: number;
  readonly deviceListHash: Uint8Array;
  readonly acks: readonly AckEntry[];
  readonly body: MessageBody;
}

export const ackCodec: Codec<AckEntry> = struct<AckEntry>({ sender: deviceIdCodec, seq: u32, hash: fixedBytes(32) });

export const frameCodec: Codec<ConversationFrame> = versioned(
  struct<ConversationFrame>({
    conversationId: conversationIdCodec,
    senderId: deviceIdCodec,
    seq: u32,
    prevHash: fixedBytes(32),
    sentAt: u64,
    deviceListVersion: u32,
    deviceListHash: fixedBytes(32),
    acks: list(ackCodec, MAX_ACKS),
    body: messageBodyCodec,
  }),
);

export interface KeyPacket {
  readonly contentKey: Uint8Array;
  readonly bodyHash: Uint8Array;
}

export const keyPacketCodec: Codec<KeyPacket> = versioned(
  struct<KeyPacket>({ contentKey: fixedBytes(32), bodyHash: fixedBytes(32) }),
);

export interface ConversationPacket {
  readonly conversationId: ConversationId;
  readonly senderId: DeviceId;
  readonly recipientId: DeviceId;
  readonly session: SessionPacket;
  readonly body: Uint8Array;
}

export const conversationPacketCodec: Codec<ConversationPacket> = versioned(
  struct<ConversationPacket>({
    conversationId: conversationIdCodec,
    senderId: deviceIdCodec,
    recipientId: deviceIdCodec,
    session: sessionPacketCodec,
    body: varBytes(MAX_BODY_CIPHERTEXT_BYTES),
  }),
);
