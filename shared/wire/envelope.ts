/**
 * The envelope (docs/PROTOCOL.md §2.6): the only thing the relay reads. It names a conversation
 * and a recipient and carries an opaque ciphertext body. Nothing in it is secret, and nothing in
 * it is trusted by clients: the body's AEAD associated data binds the same fields again.
 *
 *   u8 version (1) | u8 suite (1) | conversationId[16] | u8 recipient tag
 *   | (tag 1 = device: deviceId[16]) (tag 2 = visitor: nothing) | u32 length | body
 */
import { type Ciphertext, ciphertextCodec } from './bytes-kinds.js';
import { type Codec, decode, encode, struct, taggedUnion } from './codec.js';
import { type ConversationId, conversationIdCodec, type DeviceId, deviceIdCodec } from './ids.js';
import { LIMITS } from './limits.js';
import { readVersionAndSuite, writeVersionAndSuite } from './version.js';

export type Recipient = { kind: 'device'; deviceId: DeviceId } | { kind: 'visitor' };

export interface Envelope {
  conversationId: ConversationId;
  recipient: Recipient;
  body: Ciphertext;
}

/** Recipient tags (PROTOCOL §2.6). Tag 0 is reserved and never valid. */
export const RECIPIENT_TAGS = { device: 1, visitor: 2 } as const;

export const recipientCodec: Codec<Recipient> = taggedUnion('kind', {
  device: { tag: RECIPIENT_TAGS.device, codec: struct({ deviceId: deviceIdCodec }) },
  visitor: { tag: RECIPIENT_TAGS.visitor, codec: struct({}) },
});

const bodyCodec = ciphertextCodec(LIMITS.maxEnvelopeBodyBytes);

const envelopeFields = struct<Envelope>({
  conversationId: conversationIdCodec,
  recipient: recipientCodec,
  body: {
    write: (w, body) => {
      // §14: an envelope always carries ciphertext; an empty body is malformed.
      if (body instanceof Uint8Array && body.length === 0) throw w.fail('body must not be empty');
      bodyCodec.write(w, body);
    },
    read: (r) => {
      const body = bodyCodec.read(r);
      if (body.length === 0) throw r.fail('body must not be empty');
      return body;
    },
  },
});

/** Version and suite first (PROTOCOL §15), then the envelope fields. */
export const envelopeCodec: Codec<Envelope> = {
  write: (w, e) => {
    writeVersionAndSuite(w);
    envelopeFields.write(w, e);
  },
  read: (r) => {
    readVersionAndSuite(r);
    return envelopeFields.read(r);
  },
};

/** UsageError on an invalid envelope (wrong id length, empty or oversized body). */
export function encodeEnvelope(e: Envelope): Uint8Array {
  return encode(envelopeCodec, e);
}

/** DecodeError on anything but exactly one well-formed v1 envelope. Byte fields are copies. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  return decode(envelopeCodec, bytes, 'envelope');
}
