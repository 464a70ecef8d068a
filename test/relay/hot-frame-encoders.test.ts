/** The exact-size stored/deliver encoders (shared/wire/frames/hot-frame-encoders.ts) equal the generic codec. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors/index.js';
import {
  LIMITS, MAX_FRAME_HEADROOM_BYTES, decodeRelayFrame, encodeDeliverFrame, encodeRelayFrame, encodeStoredFrame,
} from '../../shared/wire/index.js';

const u64 = fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(0, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER));
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
/** Up to 14 bytes: the largest WebSocket frame header (RFC 6455 §5.2). */
const headroomArb = fc.integer({ min: 0, max: 14 });

/** `out` is `headroom` zero bytes followed by exactly `frame`. */
function expectHeadroomThen(out: Uint8Array, headroom: number, frame: Uint8Array): void {
  expect(out.length).toBe(headroom + frame.length);
  expect(Array.from(out.subarray(0, headroom))).toEqual(new Array<number>(headroom).fill(0));
  expect(Buffer.from(out.subarray(headroom)).equals(Buffer.from(frame))).toBe(true);
}

describe('hot relay frame encoders', () => {
  it('encodeStoredFrame writes the bytes encodeRelayFrame writes', () => {
    fc.assert(fc.property(u32, u64, (requestId, cursor) => {
      const fast = encodeStoredFrame(requestId, cursor);
      expect(fast).toEqual(encodeRelayFrame({ type: 'stored', requestId, cursor }));
      expect(decodeRelayFrame(fast)).toEqual({ type: 'stored', requestId, cursor });
    }), { numRuns: 500 });
  });

  it('encodeDeliverFrame writes the bytes encodeRelayFrame writes, also from a Buffer view', () => {
    fc.assert(fc.property(u64, fc.uint8Array({ minLength: 0, maxLength: 5000 }), fc.nat(8), (cursor, envelope, pad) => {
      const expected = encodeRelayFrame({ type: 'deliver', cursor, envelope });
      expect(encodeDeliverFrame(cursor, envelope)).toEqual(expected);
      // A view into a larger buffer (as SQLite and ws hand out) is encoded from its own bytes only.
      const backing = Buffer.alloc(envelope.length + 2 * pad, 0xee);
      backing.set(envelope, pad);
      const view = backing.subarray(pad, pad + envelope.length);
      expect(new Uint8Array(encodeDeliverFrame(cursor, view))).toEqual(new Uint8Array(expected));
    }), { numRuns: 300 });
  });

  it('with headroom: zero bytes first, then exactly the bytes encodeRelayFrame writes', () => {
    fc.assert(fc.property(u32, u64, headroomArb, (requestId, cursor, headroom) => {
      const out = encodeStoredFrame(requestId, cursor, headroom);
      expectHeadroomThen(out, headroom, encodeRelayFrame({ type: 'stored', requestId, cursor }));
      expect(decodeRelayFrame(out.subarray(headroom))).toEqual({ type: 'stored', requestId, cursor });
    }), { numRuns: 500 });
    fc.assert(fc.property(u64, fc.uint8Array({ minLength: 0, maxLength: 5000 }), headroomArb, (cursor, envelope, headroom) => {
      expectHeadroomThen(encodeDeliverFrame(cursor, envelope, headroom), headroom, encodeRelayFrame({ type: 'deliver', cursor, envelope }));
    }), { numRuns: 300 });
    const big = new Uint8Array(LIMITS.maxEnvelopeBytes).fill(7);
    expectHeadroomThen(encodeDeliverFrame(9, big, 14), 14, encodeRelayFrame({ type: 'deliver', cursor: 9, envelope: big }));
  });

  it('refuses what the generic encoder refuses, with the same UsageError', () => {
    const bad: [number, number][] = [[-1, 0], [0x1_0000_0000, 0], [1.5, 0], [0, -1], [0, Number.MAX_SAFE_INTEGER + 1], [0, Number.NaN]];
    for (const [requestId, cursor] of bad) {
      const generic = (): Uint8Array => encodeRelayFrame({ type: 'stored', requestId, cursor });
      expect(generic).toThrow(UsageError);
      for (const headroom of [0, 10]) {
        expect(() => encodeStoredFrame(requestId, cursor, headroom)).toThrow(UsageError);
        expect(() => encodeStoredFrame(requestId, cursor, headroom)).toThrow(captureMessage(generic));
      }
    }
    for (const headroom of [0, 10]) {
      expect(() => encodeDeliverFrame(-1, new Uint8Array(1), headroom)).toThrow(UsageError);
      expect(() => encodeDeliverFrame(2 ** 53, new Uint8Array(1), headroom)).toThrow(UsageError);
      // §14: an envelope past the cap is never put in a frame.
      const tooBig = new Uint8Array(LIMITS.maxEnvelopeBytes + 1);
      expect(() => encodeDeliverFrame(1, tooBig, headroom)).toThrow(captureMessage(() => encodeRelayFrame({ type: 'deliver', cursor: 1, envelope: tooBig })));
      expect(encodeDeliverFrame(1, new Uint8Array(LIMITS.maxEnvelopeBytes), headroom).length).toBe(headroom + LIMITS.maxEnvelopeBytes + 14);
    }
  });

  it('refuses a headroom that is not an integer in 0..MAX_FRAME_HEADROOM_BYTES', () => {
    for (const headroom of [-1, 1.5, Number.NaN, MAX_FRAME_HEADROOM_BYTES + 1]) {
      expect(() => encodeStoredFrame(1, 1, headroom)).toThrow(UsageError);
      expect(() => encodeDeliverFrame(1, new Uint8Array(1), headroom)).toThrow(/headroom must be an integer/);
    }
    expect(encodeStoredFrame(1, 1, MAX_FRAME_HEADROOM_BYTES).length).toBe(MAX_FRAME_HEADROOM_BYTES + 14);
  });
});

/** The message `run` throws (it must throw). */
function captureMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error.message;
  }
  throw new Error('expected a throw');
}
