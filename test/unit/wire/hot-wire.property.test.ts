/**
 * The relay's hot-path readers accept and reject exactly what the strict generic decoders do
 * (docs/PROTOCOL.md §2.6, §2.7, §16.1, §16.2): readEnvelopeRoute against decodeEnvelope, and
 * decodeClientFrameFast against decodeClientFrame, on valid inputs and on random bytes,
 * truncations, extensions, single-byte mutations and rewritten length prefixes of valid ones.
 * "Same" means the same value, or the same error class, message, FrameDecodeError reason and cause.
 * The generic decoders are wrapped in spies to show that valid send/ack frames and valid
 * envelopes never reach them (the fast paths hand only refused input to them).
 */
import fc from 'fast-check';
import { concat, envelopeArb, id16, outcome, placed, u64Arb, variants } from '../../support/wire-arbitraries.js';
import { describe, expect, it, vi } from 'vitest';
import type * as ClientFramesModule from '../../../shared/wire/frames/client-frames.js';
import type * as EnvelopeModule from '../../../shared/wire/envelope.js';
import {
  CLIENT_FRAME_TYPES,
  type ClientFrame,
  FRAME_VERSION,
  LIMITS,
  asAccountId,
  asConversationId,
  asDeviceId,
  decodeClientFrame,
  decodeClientFrameFast,
  decodeEnvelope,
  encodeClientFrame,
  encodeEnvelope,
  readEnvelopeRoute,
} from '../../../shared/wire/index.js';

vi.mock('../../../shared/wire/envelope.js', async (importOriginal) => {
  const actual = await importOriginal<typeof EnvelopeModule>();
  return { ...actual, decodeEnvelope: vi.fn(actual.decodeEnvelope) };
});
vi.mock('../../../shared/wire/frames/client-frames.js', async (importOriginal) => {
  const actual = await importOriginal<typeof ClientFramesModule>();
  return { ...actual, decodeClientFrame: vi.fn(actual.decodeClientFrame) };
});

const RUNS = { numRuns: 1000 } as const;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The routing fields as the generic decoder gives them, in hex computed independently (Buffer). */
function genericRoute(bytes: Uint8Array): unknown {
  const e = decodeEnvelope(bytes);
  const recipient =
    e.recipient.kind === 'device' ? { kind: 'device', deviceId: hex(e.recipient.deviceId) } : { kind: 'visitor' };
  return { conversationId: hex(e.conversationId), recipient };
}

/** Forgets the spies' recorded calls (they would otherwise keep every input of every run alive). */
function clearSpies(): void {
  vi.mocked(decodeEnvelope).mockClear();
  vi.mocked(decodeClientFrame).mockClear();
}

function expectSameRoute(bytes: Uint8Array): void {
  clearSpies();
  const fast = outcome(() => readEnvelopeRoute(bytes));
  // What is accepted is accepted by the direct checks, not by the generic fallback.
  if ('ok' in fast) expect(decodeEnvelope).not.toHaveBeenCalled();
  expect(fast).toEqual(outcome(() => genericRoute(bytes)));
}

/** A frame with its byte fields as hex (toEqual on 60 KiB typed arrays is slow), and their class. */
function shown(frame: ClientFrame): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(frame).map(([k, v]) => [k, v instanceof Uint8Array ? `${v.constructor.name}:${hex(v)}` : v]),
  );
}

function expectSameFrame(bytes: Uint8Array): void {
  clearSpies();
  let view: Uint8Array | undefined;
  const fast = outcome(() => {
    const frame = decodeClientFrameFast(bytes);
    if (frame.type === 'send') view = frame.envelope;
    return shown(frame);
  });
  // Accepted send and ack frames come from the direct checks, not from the generic fallback.
  if ('ok' in fast && (view !== undefined || (fast.ok as { type: unknown }).type === 'ack'))
    expect(decodeClientFrame).not.toHaveBeenCalled();
  expect(fast).toEqual(outcome(() => shown(decodeClientFrame(bytes))));
  // A send frame's envelope is a plain Uint8Array view of the input (header 2 + requestId 4 + length 4).
  if (view !== undefined) {
    expect(view.buffer).toBe(bytes.buffer);
    expect(view.byteOffset).toBe(bytes.byteOffset + 10);
  }
}

const clientFrameArb: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc.record({
    type: fc.constant('send' as const),
    requestId: fc.nat({ max: 0xffff_ffff }),
    envelope: fc.oneof(envelopeArb.map(encodeEnvelope), fc.uint8Array({ maxLength: 300 })),
  }),
  fc.record({ type: fc.constant('ack' as const), cursor: u64Arb }),
  fc.record({
    type: fc.constant('hello-device' as const),
    accountId: id16.map(asAccountId),
    deviceId: id16.map(asDeviceId),
    signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    resumeAfter: u64Arb,
  }),
  fc.record({
    type: fc.constant('hello-visitor' as const),
    conversationId: id16.map(asConversationId),
    capability: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    resumeAfter: u64Arb,
  }),
);

/** Envelope length prefix: after version, suite, conversationId and tag (+ deviceId for a device). */
const ENVELOPE_LENGTH_OFFSETS = [19, 35] as const;
/** Envelope version, suite and recipient tag. */
const ENVELOPE_TAG_OFFSETS = [0, 1, 18] as const;

describe('readEnvelopeRoute is decodeEnvelope for routing', () => {
  it('valid envelopes give the same fields', () => {
    fc.assert(
      fc.property(envelopeArb.map(encodeEnvelope).chain(placed), (bytes) => {
        expect(readEnvelopeRoute(bytes)).toEqual(genericRoute(bytes));
        expectSameRoute(bytes);
      }),
      RUNS,
    );
  });

  it('random bytes, with or without a valid version and suite: throws iff decodeEnvelope throws, with the same error', () => {
    const header = fc.constantFrom(new Uint8Array(0), Uint8Array.of(1, 1));
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 80 }), (head, tail) => {
        expectSameRoute(concat(head, tail));
      }),
      RUNS,
    );
  });

  it('truncations, extensions, mutations and rewritten lengths of valid envelopes: throws iff decodeEnvelope throws', () => {
    const hostile = envelopeArb
      .map(encodeEnvelope)
      .chain((bytes) => variants(bytes, ENVELOPE_LENGTH_OFFSETS, ENVELOPE_TAG_OFFSETS))
      .chain(placed);
    fc.assert(fc.property(hostile, expectSameRoute), RUNS);
  });
});

describe('decodeClientFrameFast is decodeClientFrame', () => {
  it('valid frames of every type decode to the same frame; send and ack without the generic decoder', () => {
    fc.assert(
      fc.property(clientFrameArb.map(encodeClientFrame).chain(placed), (bytes) => {
        clearSpies();
        const type = decodeClientFrameFast(bytes).type;
        // Hello frames are delegated to the generic decoder (once); send and ack never reach it.
        expect(vi.mocked(decodeClientFrame).mock.calls.length).toBe(type === 'send' || type === 'ack' ? 0 : 1);
        expectSameFrame(bytes);
      }),
      RUNS,
    );
  });

  it('random bytes, with or without a valid header: same frame or same FrameDecodeError reason and message', () => {
    const header = fc.oneof(
      fc.constant(new Uint8Array(0)),
      fc
        .constantFrom(...Object.values(CLIENT_FRAME_TYPES), 0x04, 0x7f)
        .map((type) => Uint8Array.of(FRAME_VERSION, type)),
    );
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 80 }), (head, tail) => {
        expectSameFrame(concat(head, tail));
      }),
      RUNS,
    );
  });

  it('ack cursors around 2^53: high words up to 2^21 and random ones', () => {
    const high = fc.oneof(fc.integer({ min: 0x1f_fff0, max: 0x20_0010 }), fc.nat({ max: 0xffff_ffff }));
    fc.assert(
      fc.property(high, fc.nat({ max: 0xffff_ffff }), (hi, lo) => {
        const frame = Uint8Array.of(FRAME_VERSION, CLIENT_FRAME_TYPES.ack, 0, 0, 0, 0, 0, 0, 0, 0);
        new DataView(frame.buffer).setUint32(2, hi);
        new DataView(frame.buffer).setUint32(6, lo);
        expectSameFrame(frame);
      }),
      RUNS,
    );
  });

  it('truncations, extensions, mutations and rewritten lengths of valid frames: same outcome', () => {
    // Send: envelope length at 6, and the envelope's own length prefix at 10 + 19 / 10 + 35; frame version and type at 0, 1.
    const offsets = [6, 10 + ENVELOPE_LENGTH_OFFSETS[0], 10 + ENVELOPE_LENGTH_OFFSETS[1]];
    const tags = [0, 1, ...ENVELOPE_TAG_OFFSETS.map((o) => 10 + o)];
    const hostile = clientFrameArb
      .map(encodeClientFrame)
      .chain((bytes) => variants(bytes, offsets, tags))
      .chain(placed);
    fc.assert(fc.property(hostile, expectSameFrame), RUNS);
  });

  it('frames at and past the size cap, and send frames at the envelope cap', () => {
    const send = (envelopeLength: number, frameLength = 10 + envelopeLength): Uint8Array => {
      const out = new Uint8Array(frameLength);
      out.set([FRAME_VERSION, CLIENT_FRAME_TYPES.send]);
      new DataView(out.buffer).setUint32(6, envelopeLength);
      return out;
    };
    const cases = [
      send(LIMITS.maxEnvelopeBytes),
      send(LIMITS.maxEnvelopeBytes + 1),
      send(LIMITS.maxFrameBytes - 10),
      send(LIMITS.maxFrameBytes - 9),
      send(3, LIMITS.maxFrameBytes + 1),
      new Uint8Array(LIMITS.maxFrameBytes + 1),
      Uint8Array.of(FRAME_VERSION),
      new Uint8Array(0),
    ];
    for (const bytes of cases) expectSameFrame(bytes);
    expect(decodeClientFrameFast(send(LIMITS.maxEnvelopeBytes))).toMatchObject({ type: 'send', requestId: 0 });
    expect(() => decodeClientFrameFast(send(3, LIMITS.maxFrameBytes + 1))).toThrow(
      expect.objectContaining({ reason: 'frame-too-large' }),
    );
  });
});
