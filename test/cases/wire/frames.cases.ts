/**
 * Relay frame codecs (shared/wire/frames, docs/PROTOCOL.md §16): vectors, round trips, strictness,
 * and the exact-size stored/deliver encoders (hot-frame-encoders.ts), which must equal the generic codec.
 */
import fc from 'fast-check';
import { UsageError } from '../../../shared/errors/index.js';
import {
  type ClientFrame,
  DecodeError,
  FRAME_ERRORS,
  FrameDecodeError,
  LIMITS,
  MAX_FRAME_HEADROOM_BYTES,
  TEAM_SIGNAL_MAX_BYTES,
  type RelayFrame,
  asAccountId,
  asConversationId,
  asDeviceId,
  decodeClientFrame,
  decodeRelayFrame,
  deviceAuthMessage,
  encodeClientFrame,
  encodeDeliverFrame,
  encodeRelayFrame,
  encodeStoredFrame,
  frameErrorName,
} from '../../../shared/wire/index.js';
import { AssertionFailure, assertBytes, assertDeepEqual, assertEqual, assertThrows, assertTrue } from '../assert.js';
import type { PortableCase, PortableSuite } from '../portable-case.js';
import { nodeBufferLike } from './node-buffer-like.js';

const id = fc.uint8Array({ minLength: 16, maxLength: 16 });
const u64 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const blob = fc.uint8Array({ minLength: 0, maxLength: 300 });

const clientFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc
    .record({
      accountId: id,
      deviceId: id,
      signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
      resumeAfter: u64,
    })
    .map((f) => ({
      type: 'hello-device' as const,
      ...f,
      accountId: asAccountId(f.accountId),
      deviceId: asDeviceId(f.deviceId),
    })),
  fc
    .record({ conversationId: id, capability: fc.uint8Array({ minLength: 32, maxLength: 32 }), resumeAfter: u64 })
    .map((f) => ({ type: 'hello-visitor' as const, ...f, conversationId: asConversationId(f.conversationId) })),
  fc.record({ requestId: u32, envelope: blob }).map((f) => ({ type: 'send' as const, ...f })),
  u64.map((cursor) => ({ type: 'ack' as const, cursor })),
  fc.uint8Array({ maxLength: TEAM_SIGNAL_MAX_BYTES }).map((b) => ({ type: 'team-signal' as const, blob: b })),
);

const relayFrame: fc.Arbitrary<RelayFrame> = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((challenge) => ({ type: 'challenge' as const, challenge })),
  fc.integer({ min: 0, max: 255 }).map((role) => ({ type: 'ready' as const, role })),
  fc.record({ requestId: u32, cursor: u64 }).map((f) => ({ type: 'stored' as const, ...f })),
  fc.record({ cursor: u64, envelope: blob }).map((f) => ({ type: 'deliver' as const, ...f })),
  fc
    .record({ requestId: u32, code: fc.integer({ min: 0, max: 0xffff }) })
    .map((f) => ({ type: 'error' as const, ...f })),
  fc.constant({ type: 'nudge' as const }),
  fc
    .record({ author: id, blob: fc.uint8Array({ maxLength: TEAM_SIGNAL_MAX_BYTES }) })
    .map((f) => ({ type: 'team-signal' as const, author: asDeviceId(f.author), blob: f.blob })),
);

/** u64 inputs of the hot encoders, with the 2^32 boundary and the maximum drawn often. */
const hotU64 = fc.oneof(u64, fc.constantFrom(0, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER));
/** Up to 14 bytes: the largest WebSocket frame header (RFC 6455 §5.2). */
const headroomArb = fc.integer({ min: 0, max: 14 });

/** The FrameDecodeError reason `run` throws, or 'accepted'. */
function reason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof FrameDecodeError) return error.reason;
    throw error;
  }
  return 'accepted';
}

/** `out` is `headroom` zero bytes followed by exactly `frame`. */
function assertHeadroomThen(out: Uint8Array, headroom: number, frame: Uint8Array): void {
  assertEqual(out.length, headroom + frame.length, 'length');
  assertBytes(out.subarray(0, headroom), new Uint8Array(headroom), 'headroom bytes');
  assertBytes(out.subarray(headroom), frame, 'the frame after the headroom');
}

/** The message `run` throws (it must throw). */
function captureMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error.message;
  }
  throw new AssertionFailure('expected a throw');
}

const relayFrameCases: PortableCase[] = [
  {
    name: 'relay frames: encode to the documented bytes (PROTOCOL §16 vectors)',
    run() {
      assertBytes(
        encodeClientFrame({ type: 'ack', cursor: 258 }),
        new Uint8Array([1, 0x13, 0, 0, 0, 0, 0, 0, 1, 2]),
        'ack',
      );
      assertBytes(
        encodeClientFrame({ type: 'send', requestId: 7, envelope: new Uint8Array([9, 9]) }),
        new Uint8Array([1, 0x12, 0, 0, 0, 7, 0, 0, 0, 2, 9, 9]),
        'send',
      );
      assertBytes(
        encodeRelayFrame({ type: 'stored', requestId: 7, cursor: 1 }),
        new Uint8Array([1, 0x03, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1]),
        'stored',
      );
      assertBytes(
        encodeRelayFrame({ type: 'error', requestId: 0, code: FRAME_ERRORS['rate-limited'] }),
        new Uint8Array([1, 0x05, 0, 0, 0, 0, 0, 9]),
        'error',
      );
      // §16.12: a team signal: u32 length + blob; forwarded with the author's 16-byte id first.
      assertBytes(
        encodeClientFrame({ type: 'team-signal', blob: new Uint8Array([5, 6]) }),
        new Uint8Array([1, 0x14, 0, 0, 0, 2, 5, 6]),
        'team-signal (client)',
      );
      assertBytes(
        encodeRelayFrame({
          type: 'team-signal',
          author: asDeviceId(new Uint8Array(16).fill(0xdd)),
          blob: new Uint8Array([5]),
        }),
        new Uint8Array([1, 0x07, ...new Uint8Array(16).fill(0xdd), 0, 0, 0, 1, 5]),
        'team-signal (relay)',
      );
      // §16.12: the blob is capped at 256 bytes, checked on the length prefix.
      assertEqual(
        reason(() => decodeClientFrame(new Uint8Array([1, 0x14, 0, 0, 1, 1, ...new Uint8Array(257)]))),
        'malformed-frame',
        'a team signal over the cap',
      );
      assertEqual(
        reason(() => decodeRelayFrame(new Uint8Array([1, 0x07, ...new Uint8Array(15)]))),
        'malformed-frame',
        'a forwarded team signal with a short author id',
      );
      // §16.11: the nudge has no fields at all.
      assertBytes(encodeRelayFrame({ type: 'nudge' }), new Uint8Array([1, 0x06]), 'nudge');
      const challenge = new Uint8Array(32).fill(0xcc);
      const message = deviceAuthMessage(
        challenge,
        asAccountId(new Uint8Array(16).fill(0xaa)),
        asDeviceId(new Uint8Array(16).fill(0xdd)),
      );
      const label = new TextEncoder().encode('sealdesk/relay-auth/v1');
      assertBytes(
        message,
        new Uint8Array([...label, 0, ...challenge, ...new Uint8Array(16).fill(0xaa), ...new Uint8Array(16).fill(0xdd)]),
        'device auth message',
      );
    },
  },
  {
    name: 'relay frames: round-trip every client and relay frame (property, 300 runs each)',
    run() {
      fc.assert(
        fc.property(clientFrame, (f) => {
          assertDeepEqual(decodeClientFrame(encodeClientFrame(f)), f, 'client frame');
        }),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(relayFrame, (f) => {
          assertDeepEqual(decodeRelayFrame(encodeRelayFrame(f)), f, 'relay frame');
        }),
        { numRuns: 300 },
      );
    },
  },
  {
    name: 'relay frames: reject every truncation and every extension of a valid frame as malformed (property, 200 runs)',
    run() {
      fc.assert(
        fc.property(clientFrame, fc.nat(), (f, cut) => {
          const bytes = encodeClientFrame(f);
          const short = bytes.slice(0, 2 + (cut % (bytes.length - 2)));
          assertEqual(
            reason(() => decodeClientFrame(short)),
            'malformed-frame',
            'truncated',
          );
          assertEqual(
            reason(() => decodeClientFrame(new Uint8Array([...bytes, 0]))),
            'malformed-frame',
            'extended',
          );
        }),
        { numRuns: 200 },
      );
    },
  },
  {
    name: 'relay frames: decode random bytes only ever to a frame or a FrameDecodeError (property, 1000 runs)',
    run() {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          for (const decodeFrame of [decodeClientFrame, decodeRelayFrame]) {
            try {
              decodeFrame(bytes);
            } catch (error) {
              assertTrue(error instanceof FrameDecodeError, `a FrameDecodeError, got ${String(error)}`);
              assertTrue(error instanceof DecodeError, 'a DecodeError');
            }
          }
        }),
        { numRuns: 1000 },
      );
    },
  },
  {
    name: 'relay frames: name unknown versions, unknown types and oversized frames',
    run() {
      const ack = encodeClientFrame({ type: 'ack', cursor: 1 });
      for (const v of [0, 2, 255]) {
        assertEqual(
          reason(() => decodeClientFrame(new Uint8Array([v, ...ack.slice(1)]))),
          'unsupported-version',
          `version ${v}`,
        );
      }
      assertEqual(
        reason(() => decodeClientFrame(new Uint8Array([1, 0x01, ...new Uint8Array(32)]))),
        'unknown-frame-type',
        'a relay type sent by a client',
      );
      assertEqual(
        reason(() => decodeRelayFrame(ack)),
        'unknown-frame-type',
        'a client type sent by the relay',
      );
      assertEqual(
        reason(() => decodeClientFrame(new Uint8Array(LIMITS.maxFrameBytes + 1))),
        'frame-too-large',
        'one byte over the frame cap',
      );
      assertEqual(
        reason(() => decodeClientFrame(new Uint8Array([1]))),
        'malformed-frame',
        'one byte',
      );
      // u64 above 2^53-1 (PROTOCOL §2) is malformed, not silently rounded.
      assertEqual(
        reason(() => decodeClientFrame(new Uint8Array([1, 0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))),
        'malformed-frame',
        'u64 above 2^53-1',
      );
      // A largest-possible send frame still fits the frame cap.
      const max = encodeClientFrame({ type: 'send', requestId: 1, envelope: new Uint8Array(LIMITS.maxEnvelopeBytes) });
      assertTrue(max.length <= LIMITS.maxFrameBytes, 'the largest send frame fits the frame cap');
    },
  },
  {
    name: 'relay frames: have unique, stable error codes',
    run() {
      const codes = Object.values(FRAME_ERRORS);
      assertEqual(new Set(codes).size, codes.length, 'distinct codes');
      for (const [name, code] of Object.entries(FRAME_ERRORS))
        assertEqual(frameErrorName(code), name, `name of code ${code}`);
      assertEqual(frameErrorName(999), undefined, 'name of an unknown code');
    },
  },
];

const hotEncoderCases: PortableCase[] = [
  {
    name: 'hot relay frame encoders: encodeStoredFrame writes the bytes encodeRelayFrame writes',
    run() {
      fc.assert(
        fc.property(u32, hotU64, (requestId, cursor) => {
          const fast = encodeStoredFrame(requestId, cursor);
          assertDeepEqual(fast, encodeRelayFrame({ type: 'stored', requestId, cursor }), 'stored frame');
          assertDeepEqual(decodeRelayFrame(fast), { type: 'stored', requestId, cursor }, 'decoded');
        }),
        { numRuns: 500 },
      );
    },
  },
  {
    name: 'hot relay frame encoders: encodeDeliverFrame writes the bytes encodeRelayFrame writes, also from a Buffer view',
    run() {
      fc.assert(
        fc.property(hotU64, fc.uint8Array({ minLength: 0, maxLength: 5000 }), fc.nat(8), (cursor, envelope, pad) => {
          const expected = encodeRelayFrame({ type: 'deliver', cursor, envelope });
          assertDeepEqual(encodeDeliverFrame(cursor, envelope), expected, 'deliver frame');
          // A view into a larger buffer (as SQLite and ws hand out) is encoded from its own bytes only.
          const backing = nodeBufferLike(new Uint8Array(envelope.length + 2 * pad).fill(0xee));
          backing.set(envelope, pad);
          const view = backing.subarray(pad, pad + envelope.length);
          assertBytes(
            new Uint8Array(encodeDeliverFrame(cursor, view)),
            new Uint8Array(expected),
            'deliver frame of a Buffer-like view',
          );
        }),
        { numRuns: 300 },
      );
    },
  },
  {
    name: 'hot relay frame encoders: with headroom: zero bytes first, then exactly the bytes encodeRelayFrame writes',
    run() {
      fc.assert(
        fc.property(u32, hotU64, headroomArb, (requestId, cursor, headroom) => {
          const out = encodeStoredFrame(requestId, cursor, headroom);
          assertHeadroomThen(out, headroom, encodeRelayFrame({ type: 'stored', requestId, cursor }));
          assertDeepEqual(decodeRelayFrame(out.subarray(headroom)), { type: 'stored', requestId, cursor }, 'decoded');
        }),
        { numRuns: 500 },
      );
      fc.assert(
        fc.property(
          hotU64,
          fc.uint8Array({ minLength: 0, maxLength: 5000 }),
          headroomArb,
          (cursor, envelope, headroom) => {
            assertHeadroomThen(
              encodeDeliverFrame(cursor, envelope, headroom),
              headroom,
              encodeRelayFrame({ type: 'deliver', cursor, envelope }),
            );
          },
        ),
        { numRuns: 300 },
      );
      const big = new Uint8Array(LIMITS.maxEnvelopeBytes).fill(7);
      assertHeadroomThen(
        encodeDeliverFrame(9, big, 14),
        14,
        encodeRelayFrame({ type: 'deliver', cursor: 9, envelope: big }),
      );
    },
  },
  {
    name: 'hot relay frame encoders: refuses what the generic encoder refuses, with the same UsageError',
    run() {
      const bad: [number, number][] = [
        [-1, 0],
        [0x1_0000_0000, 0],
        [1.5, 0],
        [0, -1],
        [0, Number.MAX_SAFE_INTEGER + 1],
        [0, Number.NaN],
      ];
      for (const [requestId, cursor] of bad) {
        const what = `stored requestId ${requestId}, cursor ${cursor}`;
        const generic = (): Uint8Array => encodeRelayFrame({ type: 'stored', requestId, cursor });
        assertThrows(generic, UsageError, undefined, `${what}, generic encoder`);
        for (const headroom of [0, 10]) {
          assertThrows(
            () => encodeStoredFrame(requestId, cursor, headroom),
            UsageError,
            undefined,
            `${what}, headroom ${headroom}`,
          );
          assertThrows(
            () => encodeStoredFrame(requestId, cursor, headroom),
            UsageError,
            captureMessage(generic),
            `${what}, headroom ${headroom}, message`,
          );
        }
      }
      for (const headroom of [0, 10]) {
        assertThrows(
          () => encodeDeliverFrame(-1, new Uint8Array(1), headroom),
          UsageError,
          undefined,
          `deliver cursor -1, headroom ${headroom}`,
        );
        assertThrows(
          () => encodeDeliverFrame(2 ** 53, new Uint8Array(1), headroom),
          UsageError,
          undefined,
          `deliver cursor 2^53, headroom ${headroom}`,
        );
        // §14: an envelope past the cap is never put in a frame.
        const tooBig = new Uint8Array(LIMITS.maxEnvelopeBytes + 1);
        assertThrows(
          () => encodeDeliverFrame(1, tooBig, headroom),
          UsageError,
          captureMessage(() => encodeRelayFrame({ type: 'deliver', cursor: 1, envelope: tooBig })),
          `deliver of an envelope over the cap, headroom ${headroom}`,
        );
        assertEqual(
          encodeDeliverFrame(1, new Uint8Array(LIMITS.maxEnvelopeBytes), headroom).length,
          headroom + LIMITS.maxEnvelopeBytes + 14,
          `largest deliver frame, headroom ${headroom}`,
        );
      }
    },
  },
  {
    name: 'hot relay frame encoders: refuses a headroom that is not an integer in 0..MAX_FRAME_HEADROOM_BYTES',
    run() {
      for (const headroom of [-1, 1.5, Number.NaN, MAX_FRAME_HEADROOM_BYTES + 1]) {
        assertThrows(() => encodeStoredFrame(1, 1, headroom), UsageError, undefined, `stored, headroom ${headroom}`);
        assertThrows(
          () => encodeDeliverFrame(1, new Uint8Array(1), headroom),
          UsageError,
          /headroom must be an integer/,
          `deliver, headroom ${headroom}`,
        );
      }
      assertEqual(
        encodeStoredFrame(1, 1, MAX_FRAME_HEADROOM_BYTES).length,
        MAX_FRAME_HEADROOM_BYTES + 14,
        'the largest headroom',
      );
    },
  },
];

export const wireFramesSuite: PortableSuite = {
  name: 'wire/frames',
  cases: [...relayFrameCases, ...hotEncoderCases],
};
