/**
 * Property tests of the wire codec (docs/PROTOCOL.md §2): round trips, canonical encodings, and
 * hostile input that may only ever raise DecodeError. Every property runs 1000 times.
 */
import fc from 'fast-check';
import { envelopeArb, id16 } from '../support/wire-arbitraries.js';
import { describe, expect, it } from 'vitest';
import {
  type Codec,
  type CodecValue,
  DecodeError,
  type Envelope,
  asConversationId,
  asDeviceId,
  bool,
  conversationIdCodec,
  decode,
  decodeEnvelope,
  deviceIdCodec,
  encode,
  encodeEnvelope,
  fixedBytes,
  list,
  optional,
  struct,
  taggedUnion,
  u16,
  u32,
  u64,
  u8,
  utf8String,
  varBytes,
} from '../../shared/wire/index.js';

const RUNS = { numRuns: 1000 } as const;

/** A representative nested schema: every combinator, nested twice. */
const itemCodec = taggedUnion('kind', {
  text: { tag: 1, codec: struct({ body: utf8String(64), urgent: bool }) },
  file: { tag: 2, codec: struct({ hash: fixedBytes(32), size: u64, chunks: list(u32, 4) }) },
  device: { tag: 7, codec: struct({ deviceId: deviceIdCodec, note: optional(varBytes(8)) }) },
  close: { tag: 9, codec: struct({}) },
});
const nestedCodec = struct({
  conversationId: conversationIdCodec,
  seq: u32,
  flags: u8,
  port: u16,
  items: list(itemCodec, 5),
  reply: optional(struct({ to: u64, quote: optional(utf8String(16)) })),
});
type Nested = CodecValue<typeof nestedCodec>;

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;
const text = (maxBytes: number): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', maxLength: maxBytes }).filter((s) => utf8Length(s) <= maxBytes);

const itemArb: fc.Arbitrary<CodecValue<typeof itemCodec>> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), body: text(64), urgent: fc.boolean() }),
  fc.record({
    kind: fc.constant('file' as const),
    hash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    size: fc.maxSafeNat(),
    chunks: fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant('device' as const),
    deviceId: id16.map(asDeviceId),
    note: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('close' as const) }),
);

const nestedArb: fc.Arbitrary<Nested> = fc.record({
  conversationId: id16.map(asConversationId),
  seq: fc.nat({ max: 0xffffffff }),
  flags: fc.nat({ max: 0xff }),
  port: fc.nat({ max: 0xffff }),
  items: fc.array(itemArb, { maxLength: 5 }),
  reply: fc.option(fc.record({ to: fc.maxSafeNat(), quote: fc.option(text(16), { nil: undefined }) }), {
    nil: undefined,
  }),
});

/** Runs `action`; passes if it returns, or throws DecodeError. Anything else fails the property. */
function onlyDecodeError(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
  }
}

function expectDecodeError(action: () => unknown): void {
  expect(action).toThrow(DecodeError);
}

const decodeNested = (bytes: Uint8Array): Nested => decode(nestedCodec, bytes);

describe.each([
  [
    'nested schema',
    nestedArb as fc.Arbitrary<unknown>,
    (v: unknown) => encode(nestedCodec, v as Nested),
    decodeNested as (b: Uint8Array) => unknown,
  ],
  [
    'envelope',
    envelopeArb as fc.Arbitrary<unknown>,
    (v: unknown) => encodeEnvelope(v as Envelope),
    decodeEnvelope as (b: Uint8Array) => unknown,
  ],
] as const)('wire properties: %s', (_name, arb, enc, dec) => {
  it('round trips, and re-encoding the decoded value gives the same bytes', () => {
    fc.assert(
      fc.property(arb, (value) => {
        const bytes = enc(value);
        const decoded = dec(bytes);
        expect(decoded).toEqual(value);
        expect(enc(decoded)).toEqual(bytes);
      }),
      RUNS,
    );
  });

  it('random bytes only ever throw DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        onlyDecodeError(() => dec(bytes));
      }),
      RUNS,
    );
  });

  it('a valid prefix followed by random bytes only ever throws DecodeError, and what decodes is canonical', () => {
    fc.assert(
      fc.property(arb, fc.nat(), fc.uint8Array({ maxLength: 64 }), (value, cut, tail) => {
        const bytes = enc(value);
        const head = bytes.subarray(0, cut % (bytes.length + 1));
        const input = new Uint8Array(head.length + tail.length);
        input.set(head);
        input.set(tail, head.length);
        let decoded: unknown;
        try {
          decoded = dec(input);
        } catch (error) {
          if (error instanceof DecodeError) return;
          throw error;
        }
        expect(enc(decoded)).toEqual(input);
      }),
      RUNS,
    );
  });

  it('every proper prefix of a valid encoding is a DecodeError', () => {
    fc.assert(
      fc.property(arb, fc.nat(), (value, cut) => {
        const bytes = enc(value);
        const length = cut % bytes.length; // 0..length-1: always strictly shorter
        expectDecodeError(() => dec(bytes.subarray(0, length)));
      }),
      RUNS,
    );
  });

  it('appending any byte to a valid encoding is a DecodeError', () => {
    fc.assert(
      fc.property(arb, fc.nat({ max: 255 }), (value, extra) => {
        const bytes = enc(value);
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        longer[bytes.length] = extra;
        expectDecodeError(() => dec(longer));
      }),
      RUNS,
    );
  });

  it('a mutated encoding either fails with DecodeError or is the canonical encoding of what it decodes to', () => {
    // Small replacement bytes are favoured: they hit presence bytes, booleans and tags.
    const replacement = fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 255 }));
    fc.assert(
      fc.property(arb, fc.nat(), replacement, fc.boolean(), (value, at, byte, flipBit) => {
        const bytes = enc(value);
        const mutated = bytes.slice();
        const i = at % mutated.length;
        mutated[i] = flipBit ? (mutated[i] ?? 0) ^ (1 << (byte % 8)) : byte;
        let decoded: unknown;
        try {
          decoded = dec(mutated);
        } catch (error) {
          if (error instanceof DecodeError) return;
          throw error;
        }
        // Determinism (PROTOCOL §2): any accepted input is exactly one value's only encoding.
        expect(enc(decoded)).toEqual(mutated);
      }),
      RUNS,
    );
  });
});

describe('wire properties: single-byte forms', () => {
  it('bool and optional accept only the bytes 0 and 1', () => {
    fc.assert(
      fc.property(fc.nat({ max: 255 }), (b) => {
        const input = Uint8Array.of(b);
        if (b <= 1) {
          expect(encode(bool, decode(bool, input))).toEqual(input);
          expect(decode(optional(struct({})), input) === undefined).toBe(b === 0);
        } else {
          expectDecodeError(() => decode(bool, input));
          expectDecodeError(() => decode(optional(struct({})), input));
        }
      }),
      RUNS,
    );
  });
});

describe('wire properties: integers and strings', () => {
  const cases: readonly (readonly [string, Codec<number>, fc.Arbitrary<number>])[] = [
    ['u8', u8, fc.nat({ max: 0xff })],
    ['u16', u16, fc.nat({ max: 0xffff })],
    ['u32', u32, fc.nat({ max: 0xffffffff })],
    ['u64', u64, fc.maxSafeNat()],
  ];
  it.each(cases)('%s round trips over its whole range', (_name, codec, arb) => {
    fc.assert(
      fc.property(arb, (v) => {
        expect(decode(codec, encode(codec, v))).toBe(v);
      }),
      RUNS,
    );
  });

  it('any 8 bytes decode as u64 exactly when the value is at most 2^53-1', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const big = Buffer.from(bytes).readBigUInt64BE(0);
        if (big <= BigInt(Number.MAX_SAFE_INTEGER)) expect(BigInt(decode(u64, bytes))).toBe(big);
        else expectDecodeError(() => decode(u64, bytes));
      }),
      RUNS,
    );
  });

  it('utf8String accepts exactly the well-formed UTF-8 byte strings', () => {
    const codec = utf8String(32);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (raw) => {
        const framed = encode(varBytes(32), raw);
        let strict = true;
        try {
          new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
        } catch {
          strict = false;
        }
        if (!strict) {
          expectDecodeError(() => decode(codec, framed));
          return;
        }
        expect(encode(codec, decode(codec, framed))).toEqual(framed);
      }),
      RUNS,
    );
  });
});
