/** fast-check arbitraries for wire values, shared by the wire property tests (test/property/). */
import fc from 'fast-check';
import { type Envelope, asCiphertext, asConversationId, asDeviceId } from '../../shared/wire/index.js';

/** 16 random bytes: any account, device or conversation id. */
export const id16 = fc.uint8Array({ minLength: 16, maxLength: 16 });

/** A well-formed envelope to a device or to the visitor, with a 1–300-byte body. */
export const envelopeArb: fc.Arbitrary<Envelope> = fc.record({
  conversationId: id16.map(asConversationId),
  recipient: fc.oneof(
    fc.record({ kind: fc.constant('device' as const), deviceId: id16.map(asDeviceId) }),
    fc.record({ kind: fc.constant('visitor' as const) }),
  ),
  body: fc.uint8Array({ minLength: 1, maxLength: 300 }).map(asCiphertext),
});
