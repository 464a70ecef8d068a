/**
 * The transport's hot-path reader of relay frames accepts and rejects exactly what the strict
 * decodeRelayFrame does (PROTOCOL §16.1, §16.3): same frame, or the same error class, message
 * and FrameDecodeError reason, on valid frames of every type, random bytes, and truncations,
 * extensions, mutations and rewritten lengths of valid ones. Valid deliver and stored frames
 * never reach the generic decoder, and a deliver frame's envelope is a view of the input.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type * as WireModule from '../../../shared/wire/index.js';
import {
  FRAME_VERSION,
  RELAY_FRAME_TYPES,
  type RelayFrame,
  decodeRelayFrame,
  encodeEnvelope,
  encodeRelayFrame,
} from '../../../shared/wire/index.js';
import { decodeRelayFrameFast } from '../../../shared/transport/ws/relay-frame-fast.js';
import { concat, envelopeArb, outcome, placed, u64Arb, variants } from '../../support/wire-arbitraries.js';

// The transport imports decodeRelayFrame through shared/wire's index: spy on it there.
vi.mock('../../../shared/wire/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof WireModule>();
  return { ...actual, decodeRelayFrame: vi.fn(actual.decodeRelayFrame) };
});

const RUNS = { numRuns: 1000 } as const;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function shown(frame: RelayFrame): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(frame).map(([k, v]) => [k, v instanceof Uint8Array ? `${v.constructor.name}:${hex(v)}` : v]),
  );
}

function expectSameFrame(bytes: Uint8Array): void {
  vi.mocked(decodeRelayFrame).mockClear();
  let view: Uint8Array | undefined;
  const fast = outcome(() => {
    const frame = decodeRelayFrameFast(bytes);
    if (frame.type === 'deliver') view = frame.envelope;
    return shown(frame);
  });
  const type = 'ok' in fast ? (fast.ok as { type: unknown }).type : undefined;
  if (type === 'deliver' || type === 'stored') expect(decodeRelayFrame).not.toHaveBeenCalled();
  expect(fast).toEqual(outcome(() => shown(decodeRelayFrame(bytes))));
  // Header 2 + cursor 8 + length 4, then the envelope, in the input's own buffer.
  if (view !== undefined) {
    expect(view.buffer).toBe(bytes.buffer);
    expect(view.byteOffset).toBe(bytes.byteOffset + 14);
  }
}

const relayFrameArb: fc.Arbitrary<RelayFrame> = fc.oneof(
  fc.record({
    type: fc.constant('deliver' as const),
    cursor: u64Arb,
    envelope: fc.oneof(envelopeArb.map(encodeEnvelope), fc.uint8Array({ maxLength: 300 })),
  }),
  fc.record({ type: fc.constant('stored' as const), requestId: fc.nat({ max: 0xffff_ffff }), cursor: u64Arb }),
  fc.record({ type: fc.constant('challenge' as const), challenge: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({ type: fc.constant('ready' as const), role: fc.nat({ max: 255 }) }),
  fc.record({
    type: fc.constant('error' as const),
    requestId: fc.nat({ max: 0xffff_ffff }),
    code: fc.nat({ max: 0xffff }),
  }),
);

/** deliver: the envelope length at 10; stored has no length. */
const LENGTH_OFFSETS = [10] as const;
/** Frame version and type; the high bytes of the u64 fields. */
const TAG_OFFSETS = [0, 1, 2, 6] as const;

describe('decodeRelayFrameFast is decodeRelayFrame', () => {
  it('valid frames of every type decode to the same frame', () => {
    fc.assert(fc.property(relayFrameArb.map(encodeRelayFrame).chain(placed), expectSameFrame), RUNS);
  });

  it('random bytes, with or without a valid header: same frame or the same FrameDecodeError', () => {
    const header = fc.oneof(
      fc.constant(new Uint8Array(0)),
      fc
        .constantFrom(...Object.values(RELAY_FRAME_TYPES), 0x12, 0x7f)
        .map((type) => Uint8Array.of(FRAME_VERSION, type)),
    );
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 80 }), (head, tail) => {
        expectSameFrame(concat(head, tail));
      }),
      RUNS,
    );
  });

  it('truncations, extensions, mutations and rewritten lengths of valid frames: same outcome', () => {
    const hostile = relayFrameArb
      .map(encodeRelayFrame)
      .chain((bytes) => variants(bytes, LENGTH_OFFSETS, TAG_OFFSETS))
      .chain(placed);
    fc.assert(fc.property(hostile, expectSameFrame), RUNS);
  });

  it('cursors at 2^53-1 pass and one above is refused, as by the generic decoder', () => {
    const deliver = encodeRelayFrame({ type: 'deliver', cursor: Number.MAX_SAFE_INTEGER, envelope: Uint8Array.of(1) });
    expectSameFrame(deliver);
    const over = deliver.slice();
    over[2] = 0x00;
    over[3] = 0x20;
    expectSameFrame(over);
    expect(() => decodeRelayFrameFast(over)).toThrow();
  });
});
