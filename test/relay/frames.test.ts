/** Relay frame codecs (shared/wire/frames, docs/PROTOCOL.md §16): vectors, round trips, strictness. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClientFrame, DecodeError, FRAME_ERRORS, FrameDecodeError, LIMITS, type RelayFrame, asAccountId, asConversationId,
  asDeviceId, decodeClientFrame, decodeRelayFrame, deviceAuthMessage, encodeClientFrame, encodeRelayFrame, frameErrorName,
} from '../../shared/wire/index.js';

const id = fc.uint8Array({ minLength: 16, maxLength: 16 });
const u64 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const blob = fc.uint8Array({ minLength: 0, maxLength: 300 });

const clientFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc.record({ accountId: id, deviceId: id, signature: fc.uint8Array({ minLength: 64, maxLength: 64 }), resumeAfter: u64 })
    .map((f) => ({ type: 'hello-device' as const, ...f, accountId: asAccountId(f.accountId), deviceId: asDeviceId(f.deviceId) })),
  fc.record({ conversationId: id, capability: fc.uint8Array({ minLength: 32, maxLength: 32 }), resumeAfter: u64 })
    .map((f) => ({ type: 'hello-visitor' as const, ...f, conversationId: asConversationId(f.conversationId) })),
  fc.record({ requestId: u32, envelope: blob }).map((f) => ({ type: 'send' as const, ...f })),
  u64.map((cursor) => ({ type: 'ack' as const, cursor })),
);

const relayFrame: fc.Arbitrary<RelayFrame> = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((challenge) => ({ type: 'challenge' as const, challenge })),
  fc.integer({ min: 0, max: 255 }).map((role) => ({ type: 'ready' as const, role })),
  fc.record({ requestId: u32, cursor: u64 }).map((f) => ({ type: 'stored' as const, ...f })),
  fc.record({ cursor: u64, envelope: blob }).map((f) => ({ type: 'deliver' as const, ...f })),
  fc.record({ requestId: u32, code: fc.integer({ min: 0, max: 0xffff }) }).map((f) => ({ type: 'error' as const, ...f })),
);

function reason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof FrameDecodeError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('relay frames', () => {
  it('encode to the documented bytes (PROTOCOL §16 vectors)', () => {
    expect([...encodeClientFrame({ type: 'ack', cursor: 258 })]).toEqual([1, 0x13, 0, 0, 0, 0, 0, 0, 1, 2]);
    expect([...encodeClientFrame({ type: 'send', requestId: 7, envelope: new Uint8Array([9, 9]) })]).toEqual([1, 0x12, 0, 0, 0, 7, 0, 0, 0, 2, 9, 9]);
    expect([...encodeRelayFrame({ type: 'stored', requestId: 7, cursor: 1 })]).toEqual([1, 0x03, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...encodeRelayFrame({ type: 'error', requestId: 0, code: FRAME_ERRORS['rate-limited'] })]).toEqual([1, 0x05, 0, 0, 0, 0, 0, 9]);
    const challenge = new Uint8Array(32).fill(0xcc);
    const message = deviceAuthMessage(challenge, asAccountId(new Uint8Array(16).fill(0xaa)), asDeviceId(new Uint8Array(16).fill(0xdd)));
    const label = new TextEncoder().encode('sealdesk/relay-auth/v1');
    expect(message).toEqual(new Uint8Array([...label, 0, ...challenge, ...new Uint8Array(16).fill(0xaa), ...new Uint8Array(16).fill(0xdd)]));
  });

  it('round-trip every client and relay frame (property, 300 runs each)', () => {
    fc.assert(fc.property(clientFrame, (f) => { expect(decodeClientFrame(encodeClientFrame(f))).toEqual(f); }), { numRuns: 300 });
    fc.assert(fc.property(relayFrame, (f) => { expect(decodeRelayFrame(encodeRelayFrame(f))).toEqual(f); }), { numRuns: 300 });
  });

  it('reject every truncation and every extension of a valid frame as malformed (property, 200 runs)', () => {
    fc.assert(fc.property(clientFrame, fc.nat(), (f, cut) => {
      const bytes = encodeClientFrame(f);
      const short = bytes.slice(0, 2 + (cut % (bytes.length - 2)));
      expect(reason(() => decodeClientFrame(short))).toBe('malformed-frame');
      expect(reason(() => decodeClientFrame(new Uint8Array([...bytes, 0])))).toBe('malformed-frame');
    }), { numRuns: 200 });
  });

  it('decode random bytes only ever to a frame or a FrameDecodeError (property, 1000 runs)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      for (const decodeFrame of [decodeClientFrame, decodeRelayFrame]) {
        try {
          decodeFrame(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(FrameDecodeError);
          expect(error).toBeInstanceOf(DecodeError);
        }
      }
    }), { numRuns: 1000 });
  });

  it('name unknown versions, unknown types and oversized frames', () => {
    const ack = encodeClientFrame({ type: 'ack', cursor: 1 });
    for (const v of [0, 2, 255]) expect(reason(() => decodeClientFrame(new Uint8Array([v, ...ack.slice(1)])))).toBe('unsupported-version');
    expect(reason(() => decodeClientFrame(new Uint8Array([1, 0x01, ...new Uint8Array(32)])))).toBe('unknown-frame-type');
    expect(reason(() => decodeRelayFrame(ack))).toBe('unknown-frame-type');
    expect(reason(() => decodeClientFrame(new Uint8Array(LIMITS.maxFrameBytes + 1)))).toBe('frame-too-large');
    expect(reason(() => decodeClientFrame(new Uint8Array([1])))).toBe('malformed-frame');
    // u64 above 2^53-1 (PROTOCOL §2) is malformed, not silently rounded.
    expect(reason(() => decodeClientFrame(new Uint8Array([1, 0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])))).toBe('malformed-frame');
    // A largest-possible send frame still fits the frame cap.
    const max = encodeClientFrame({ type: 'send', requestId: 1, envelope: new Uint8Array(LIMITS.maxEnvelopeBytes) });
    expect(max.length).toBeLessThanOrEqual(LIMITS.maxFrameBytes);
  });

  it('have unique, stable error codes', () => {
    const codes = Object.values(FRAME_ERRORS);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, code] of Object.entries(FRAME_ERRORS)) expect(frameErrorName(code)).toBe(name);
    expect(frameErrorName(999)).toBeUndefined();
  });
});
