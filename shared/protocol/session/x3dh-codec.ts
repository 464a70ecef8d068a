/**
 * Byte layouts of first contact (docs/PROTOCOL.md §5.3): the header the initiator sends in
 * the clear with its first messages, and the transcript that is bound into the X3DH KDF info
 * and the associated data (security brief F2: the initiator's key travels inside the first
 * message and is bound into both).
 */
import {
  type AccountId,
  accountIdCodec,
  type Codec,
  fixedBytes,
  optional,
  struct,
  u32,
  type ConversationId,
  conversationIdCodec,
  type DeviceId,
  deviceIdCodec,
} from '../../wire/index.js';
import { versioned } from '../core/index.js';

const key32 = fixedBytes(32);

/** Sent by the initiator with every message until the responder has replied (X3DH §3.3). */
export interface FirstContactHeader {
  /** IKA: the visitor's per-conversation X25519 key, or a sibling device's DH identity key. */
  readonly initiatorIdentityKey: Uint8Array;
  /** EKA */
  readonly initiatorEphemeralKey: Uint8Array;
  readonly signedPrekeyId: number;
  readonly oneTimePrekeyId: number | undefined;
  /** The device list the initiator used to choose its recipients. */
  readonly deviceListVersion: number;
  readonly deviceListHash: Uint8Array;
}

export const firstContactHeaderCodec: Codec<FirstContactHeader> = struct<FirstContactHeader>({
  initiatorIdentityKey: key32,
  initiatorEphemeralKey: key32,
  signedPrekeyId: u32,
  oneTimePrekeyId: optional(u32),
  deviceListVersion: u32,
  deviceListHash: fixedBytes(32),
});

/** Everything both sides agree on about one X3DH run; never sent, only hashed/bound. */
export interface X3dhTranscript {
  readonly conversationId: ConversationId;
  readonly initiatorId: DeviceId;
  readonly responderId: DeviceId;
  readonly initiatorIdentityKey: Uint8Array;
  readonly initiatorEphemeralKey: Uint8Array;
  readonly responderIdentityKey: Uint8Array;
  readonly signedPrekey: Uint8Array;
  readonly signedPrekeyId: number;
  readonly oneTimePrekey: Uint8Array | undefined;
  readonly oneTimePrekeyId: number | undefined;
  /** The account whose list the initiator used, and the account key that signed it (issue #17 item 3). */
  readonly accountId: AccountId;
  readonly accountKey: Uint8Array;
  readonly deviceListVersion: number;
  readonly deviceListHash: Uint8Array;
}

/** version | suite | the fields in this order. */
export const x3dhTranscriptCodec: Codec<X3dhTranscript> = versioned(
  struct<X3dhTranscript>({
    conversationId: conversationIdCodec,
    initiatorId: deviceIdCodec,
    responderId: deviceIdCodec,
    initiatorIdentityKey: key32,
    initiatorEphemeralKey: key32,
    responderIdentityKey: key32,
    signedPrekey: key32,
    signedPrekeyId: u32,
    oneTimePrekey: optional(key32),
    oneTimePrekeyId: optional(u32),
    accountId: accountIdCodec,
    accountKey: key32,
    deviceListVersion: u32,
    deviceListHash: fixedBytes(32),
  }),
);
