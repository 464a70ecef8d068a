/**
 * Frames a client sends to the relay (docs/PROTOCOL.md §16.2). Layout of each: frame header
 * (§16.1), then the fields below in order, with the wire encoding of §2.
 */
import { type Codec, fixedBytes, struct, u32, u64, varBytes } from '../codec.js';
import { type AccountId, type ConversationId, type DeviceId, accountIdCodec, conversationIdCodec, deviceIdCodec } from '../ids.js';
import { LIMITS } from '../limits.js';
import { Writer } from '../writer.js';
import { FRAME_VERSION, openFrame, readBody } from './frame-header.js';

export const CAPABILITY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

export const CLIENT_FRAME_TYPES = {
  'hello-device': 0x10,
  'hello-visitor': 0x11,
  send: 0x12,
  ack: 0x13,
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

export type ClientFrame = HelloDeviceFrame | HelloVisitorFrame | SendFrame | AckFrame;

type Body<F> = Omit<F, 'type'>;

const bodies: { readonly [K in ClientFrame['type']]: Codec<Body<Extract<ClientFrame, { type: K }>>> } = {
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
};

const typeByByte = new Map<number, ClientFrame['type']>(
  (Object.entries(CLIENT_FRAME_TYPES) as [ClientFrame['type'], number][]).map(([name, byte]) => [byte, name]),
);

export function encodeClientFrame(frame: ClientFrame): Uint8Array {
  const w = new Writer();
  w.u8(FRAME_VERSION);
  w.u8(CLIENT_FRAME_TYPES[frame.type]);
  const codec = bodies[frame.type] as unknown as Codec<ClientFrame>;
  w.field(frame.type, () => {
    codec.write(w, frame);
  });
  return w.finish();
}

/** FrameDecodeError (a DecodeError) with the reason the relay reports, on anything but one valid frame. */
export function decodeClientFrame(bytes: Uint8Array): ClientFrame {
  const { type, reader } = openFrame(bytes, [...typeByByte.keys()]);
  const name = typeByByte.get(type) ?? 'ack';
  const codec = bodies[name] as unknown as Codec<Record<string, unknown>>;
  const body = readBody(reader, name, (r) => codec.read(r));
  return { ...body, type: name } as ClientFrame;
}
