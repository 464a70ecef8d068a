/**
 * Byte layouts of the conversation layer (docs/PROTOCOL.md §7.2):
 *
 *   frame   = version (= FRAME_VERSION) | suite | conversationId[16] | senderId[16] | u32 seq | prevHash[32]
 *             | u64 sentAt | u32 deviceListVersion | deviceListHash[32] | u32 prevListVersion | list(ack) | body
 *                                                       (padded, then encrypted once: the "body")
 *   ack     = senderId[16] | u32 seq | hash[32] | u32 listVersion
 *                                                       (last in-order message seen from that sender, and its list)
 *   keys    = version | suite | contentKey[32] | bodyHash[32]   (the ratchet plaintext, per recipient)
 *   packet  = version | suite | conversationId[16] | senderId[16] | recipientId[16]
 *             | session packet | u32 length | body ciphertext   (the envelope body, per recipient)
 */
import {
  type Codec,
  fixedBytes,
  type Reader,
  SUITE_V1,
  SUPPORTED_SUITES,
  type Writer,
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
  /** PROTOCOL §7.7: the `deviceListVersion` the acknowledged frame names. */
  readonly listVersion: number;
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
  /**
   * PROTOCOL §7.2, §7.6: the `deviceListVersion` this sender's previous frame in this conversation
   * named (0 for seq 1). A device first listed at L_D knows that frames before one with
   * `prevListVersion < L_D` were never sent to it.
   */
  readonly prevListVersion: number;
  readonly acks: readonly AckEntry[];
  readonly body: MessageBody;
}

export const ackCodec: Codec<AckEntry> = struct<AckEntry>({
  sender: deviceIdCodec,
  seq: u32,
  hash: fixedBytes(32),
  listVersion: u32,
});

/**
 * PROTOCOL §7.2, §15: the frame's own layout version (its first byte). Version 2 had neither
 * `prevListVersion` nor the acks' `listVersion`; it is refused like any unknown version.
 */
export const FRAME_VERSION = 3;
const RETIRED_FRAME_VERSION = 2;

/** The frame's version and suite bytes (PROTOCOL §15 rule 1: the unknown is refused, never guessed). */
function frameVersioned<T>(inner: Codec<T>): Codec<T> {
  return {
    write: (w: Writer, value: T) => {
      w.field('version', () => {
        w.u8(FRAME_VERSION);
      });
      w.field('suite', () => {
        w.u8(SUITE_V1);
      });
      inner.write(w, value);
    },
    read: (r: Reader) => {
      r.field('version', () => {
        const version = r.u8();
        if (version === RETIRED_FRAME_VERSION)
          throw r.fail(
            `a conversation frame of the retired version ${version} (no prevListVersion); this build speaks frame version ${FRAME_VERSION} only`,
          );
        if (version !== FRAME_VERSION)
          throw r.fail(
            `unknown conversation frame version ${version} (this build speaks version ${FRAME_VERSION} only)`,
          );
      });
      r.field('suite', () => {
        const suite = r.u8();
        if (!SUPPORTED_SUITES.includes(suite)) throw r.fail(`unknown cipher suite ${suite}`);
      });
      return inner.read(r);
    },
  };
}

export const frameCodec: Codec<ConversationFrame> = frameVersioned(
  struct<ConversationFrame>({
    conversationId: conversationIdCodec,
    senderId: deviceIdCodec,
    seq: u32,
    prevHash: fixedBytes(32),
    sentAt: u64,
    deviceListVersion: u32,
    deviceListHash: fixedBytes(32),
    prevListVersion: u32,
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
