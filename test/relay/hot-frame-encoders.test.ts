/** The exact-size stored/deliver encoders (shared/wire/frames/hot-frame-encoders.ts) equal the generic codec. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors/index.js';
import { LIMITS, decodeRelayFrame, encodeDeliverFrame, encodeRelayFrame, encodeStoredFrame } from '../../shared/wire/index.js';

const u64 = fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(0, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER));
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });

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

  it('refuses what the generic encoder refuses, with the same UsageError', () => {
    const bad: [number, number][] = [[-1, 0], [0x1_0000_0000, 0], [1.5, 0], [0, -1], [0, Number.MAX_SAFE_INTEGER + 1], [0, Number.NaN]];
    for (const [requestId, cursor] of bad) {
      expect(() => encodeStoredFrame(requestId, cursor)).toThrow(UsageError);
    }
    expect(() => encodeDeliverFrame(-1, new Uint8Array(1))).toThrow(UsageError);
    expect(() => encodeDeliverFrame(2 ** 53, new Uint8Array(1))).toThrow(UsageError);
    // §14: an envelope past the cap is never put in a frame.
    const tooBig = new Uint8Array(LIMITS.maxEnvelopeBytes + 1);
    expect(() => encodeDeliverFrame(1, tooBig)).toThrow(UsageError);
    expect(encodeDeliverFrame(1, new Uint8Array(LIMITS.maxEnvelopeBytes)).length).toBe(LIMITS.maxEnvelopeBytes + 14);
  });
});
