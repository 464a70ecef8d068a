/**
 * fast-check arbitraries for wire values, and the hostile variants and outcome comparison the
 * fast-decoder property tests share (test/property/).
 */
import fc from 'fast-check';
import {
  type Envelope,
  FrameDecodeError,
  LIMITS,
  asCiphertext,
  asConversationId,
  asDeviceId,
} from '../../shared/wire/index.js';

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

/** A u64 (§2.1): anything up to 2^53-1, biased to the u32 edges. */
export const u64Arb = fc.oneof(
  fc.maxSafeNat(),
  fc.constantFrom(0, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER),
);

export type Outcome =
  { ok: unknown } | { error: { type: string; message: string; reason: string | undefined; cause: string | undefined } };

/** What `run` returns, or the observable parts of what it throws. */
export function outcome(run: () => unknown): Outcome {
  try {
    return { ok: run() };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const reason = error instanceof FrameDecodeError ? error.reason : undefined;
    const cause = error.cause instanceof Error ? `${error.cause.constructor.name}: ${error.cause.message}` : undefined;
    return { error: { type: error.constructor.name, message: error.message, reason, cause } };
  }
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A u32 near the interesting edges: the true length ±1, zero, the caps ±1, or anything. */
export const lengthValue = (actual: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc
      .constantFrom(
        0,
        1,
        actual - 1,
        actual + 1,
        LIMITS.maxEnvelopeBodyBytes,
        LIMITS.maxEnvelopeBodyBytes + 1,
        LIMITS.maxEnvelopeBytes,
        LIMITS.maxEnvelopeBytes + 1,
        0xffff_ffff,
      )
      .filter((n) => n >= 0),
    fc.nat({ max: 0xffff_ffff }),
  );

/** `bytes` up to the u32 at `at`, then that u32 set to `n` and exactly `n` bytes after it (a self-consistent length). */
export function resized(bytes: Uint8Array, at: number, n: number): Uint8Array {
  const out = new Uint8Array(at + 4 + n);
  out.set(bytes.subarray(0, Math.min(bytes.length, out.length)));
  new DataView(out.buffer).setUint32(at, n);
  return out;
}

/**
 * Hostile variants of valid `bytes`: a truncation, an extension, one byte replaced (biased to the
 * first 40 bytes, where every header and length field lives, and to the version/type/tag bytes at
 * `tagOffsets`), the u32 at a length offset
 * rewritten, or set together with the input's size so that it is consistent (empty, over a cap).
 */
export function variants(
  bytes: Uint8Array,
  lengthOffsets: readonly number[],
  tagOffsets: readonly number[],
): fc.Arbitrary<Uint8Array> {
  const offsets = lengthOffsets.filter((o) => o + 4 <= bytes.length);
  const tags = tagOffsets.filter((o) => o < bytes.length);
  const mutate = fc
    .tuple(
      fc.oneof(
        fc.nat({ max: Math.min(39, bytes.length - 1) }),
        fc.nat({ max: bytes.length - 1 }),
        tags.length === 0 ? fc.constant(0) : fc.constantFrom(...tags),
      ),
      fc.oneof(fc.nat({ max: 255 }), fc.constantFrom(0, 1, 2, 3, 0x12, 0x13, 0x1f, 0x20, 0xff)),
    )
    .map(([at, value]) => {
      const out = bytes.slice();
      out[at] = value;
      return out;
    });
  const rewrite =
    offsets.length === 0
      ? mutate
      : fc.constantFrom(...offsets).chain((at) => {
          const actual = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(at);
          return lengthValue(actual).map((n) => {
            const out = bytes.slice();
            new DataView(out.buffer).setUint32(at, n);
            return out;
          });
        });
  const consistent =
    offsets.length === 0
      ? mutate
      : fc
          .tuple(
            fc.constantFrom(...offsets),
            fc.constantFrom(
              0,
              1,
              2,
              LIMITS.maxEnvelopeBodyBytes,
              LIMITS.maxEnvelopeBodyBytes + 1,
              LIMITS.maxEnvelopeBytes,
              LIMITS.maxEnvelopeBytes + 1,
            ),
          )
          .map(([at, n]) => resized(bytes, at, n));
  return fc.oneof(
    fc.nat({ max: bytes.length }).map((cut) => bytes.slice(0, cut)),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => concat(bytes, tail)),
    mutate,
    rewrite,
    consistent,
  );
}

/** The input as given, or copied into a Node Buffer at a random offset of a larger backing store. */
export const placed = (bytes: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    fc.constant(bytes),
    fc.tuple(fc.nat(16), fc.nat(16)).map(([before, after]) => {
      const backing = Buffer.alloc(before + bytes.length + after, 0xa5);
      backing.set(bytes, before);
      return backing.subarray(before, before + bytes.length);
    }),
  );
