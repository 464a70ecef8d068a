import { describe, expect, it } from 'vitest';
import {
  type Codec,
  DecodeError,
  UsageError,
  bool,
  branded,
  decode,
  encode,
  fixedBytes,
  list,
  optional,
  refine,
  struct,
  taggedUnion,
  u16,
  u32,
  u64,
  u8,
  utf8String,
  varBytes,
} from '../../shared/wire/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('encode / decode', () => {
  it('decode requires the whole input to be consumed', () => {
    expect(decode(u16, bytes('0102'))).toBe(0x0102);
    expect(() => decode(u16, bytes('010203'))).toThrow(/value: 1 trailing byte/);
    expect(() => decode(u16, bytes('010203'), 'thing')).toThrow(/^thing: 1 trailing byte/);
  });

  it('integer codecs round trip and check their ranges', () => {
    expect(hex(encode(u8, 7))).toBe('07');
    expect(hex(encode(u32, 0x01020304))).toBe('01020304');
    expect(decode(u64, encode(u64, 2 ** 53 - 1))).toBe(2 ** 53 - 1);
    expect(() => encode(u64, 2 ** 53)).toThrow(UsageError);
    expect(() => decode(u64, bytes('0020000000000000'))).toThrow(DecodeError);
  });
});

describe('fixedBytes / varBytes', () => {
  it('fixedBytes: wrong length on encode is UsageError, short input is DecodeError', () => {
    const c = fixedBytes(4);
    expect(hex(encode(c, bytes('01020304')))).toBe('01020304');
    expect(() => encode(c, bytes('010203'))).toThrow(UsageError);
    expect(() => decode(c, bytes('010203'))).toThrow(DecodeError);
    expect(() => decode(c, bytes('0102030405'))).toThrow(DecodeError);
    expect(() => fixedBytes(-1)).toThrow(UsageError);
  });

  it('varBytes: caps on both sides, exact prefix required', () => {
    const c = varBytes(3);
    expect(hex(encode(c, bytes('aabbcc')))).toBe('00000003aabbcc');
    expect(() => encode(c, bytes('aabbccdd'))).toThrow(UsageError);
    expect(() => decode(c, bytes('00000004aabbccdd'))).toThrow(/exceeds the cap of 3/);
    expect(() => decode(c, bytes('00000003aabb'))).toThrow(/runs past the end/);
    expect(() => varBytes(2 ** 32)).toThrow(UsageError);
  });
});

describe('utf8String', () => {
  const c = utf8String(8);

  it('encodes strict UTF-8 with a byte-length prefix', () => {
    expect(hex(encode(c, 'hé'))).toBe('0000000368c3a9');
    expect(decode(c, bytes('0000000368c3a9'))).toBe('hé');
    expect(decode(c, encode(c, '😀'))).toBe('😀');
  });

  it('caps by UTF-8 bytes, not by characters', () => {
    expect(() => encode(c, 'ééééé')).toThrow(/10 bytes exceed the cap of 8/);
  });

  it('rejects malformed UTF-8 on decode with DecodeError', () => {
    expect(() => decode(c, bytes('00000001ff'))).toThrow(/invalid UTF-8/);
    expect(() => decode(c, bytes('00000002c0af'))).toThrow(DecodeError); // overlong "/"
    expect(() => decode(c, bytes('00000003eda080'))).toThrow(DecodeError); // encoded surrogate
    expect(() => decode(c, bytes('00000001c3'))).toThrow(DecodeError); // truncated sequence
  });

  it('keeps a leading BOM so that it is not a second encoding of the rest', () => {
    expect(decode(c, bytes('00000004efbbbf61'))).toBe('\uFEFFa');
    expect(hex(encode(c, '\uFEFFa'))).toBe('00000004efbbbf61');
  });

  it('refuses strings with lone surrogates (no UTF-8 form) with UsageError', () => {
    expect(() => encode(c, '\uD800')).toThrow(/lone surrogate/);
    expect(() => encode(c, 'a\uDC00')).toThrow(UsageError);
  });
});

describe('bool / optional', () => {
  it('bool accepts only 0 and 1', () => {
    expect(hex(encode(bool, true))).toBe('01');
    expect(decode(bool, bytes('00'))).toBe(false);
    expect(() => decode(bool, bytes('02'))).toThrow(/boolean byte must be 0 or 1, got 2/);
    expect(() => decode(bool, bytes('ff'))).toThrow(DecodeError);
    expect(() => encode(bool, 1 as unknown as boolean)).toThrow(UsageError);
  });

  it('optional has a 0/1 presence byte and nothing else', () => {
    const c = optional(u8);
    expect(hex(encode(c, undefined))).toBe('00');
    expect(hex(encode(c, 5))).toBe('0105');
    expect(decode(c, bytes('00'))).toBeUndefined();
    expect(decode(c, bytes('0105'))).toBe(5);
    expect(() => decode(c, bytes('0205'))).toThrow(/presence byte must be 0 or 1/);
    expect(() => decode(c, bytes('0005'))).toThrow(/trailing/);
  });
});

describe('list', () => {
  const c = list(u16, 3);

  it('writes a u32 count then the items', () => {
    expect(hex(encode(c, [1, 2]))).toBe('0000000200010002');
    expect(decode(c, bytes('00000000'))).toEqual([]);
  });

  it('enforces the count cap before reading any item', () => {
    expect(() => encode(c, [1, 2, 3, 4])).toThrow(/4 items exceed the cap of 3/);
    expect(() => decode(c, bytes('ffffffff'))).toThrow(/count 4294967295 exceeds the cap of 3/);
  });

  it('names the failing item index', () => {
    expect(() => decode(c, bytes('000000020001aa'))).toThrow(/^value\[1\]: needs u16/);
    expect(() => encode(c, [1, 70000])).toThrow(/^value\[1\]: u16 must be/);
  });
});

describe('struct', () => {
  interface Point {
    x: number;
    label: string;
    tags: readonly number[];
  }
  const point: Codec<Point> = struct({ x: u16, label: utf8String(16), tags: list(u8, 4) });

  it('encodes fields in key order without names', () => {
    const value: Point = { x: 1, label: 'a', tags: [9] };
    expect(hex(encode(point, value))).toBe('0001' + '0000000161' + '0000000109');
    expect(decode(point, encode(point, value))).toEqual(value);
  });

  it('ignores properties that are not in the schema on encode, and never produces them', () => {
    const extra = { x: 1, label: 'a', tags: [], secret: 'no' };
    const decoded = decode(point, encode(point, extra));
    expect(Object.keys(decoded)).toEqual(['x', 'label', 'tags']);
  });

  it('names the failing field path', () => {
    const outer = struct({ inner: point });
    expect(() => decode(outer, bytes('0001000000'), 'msg')).toThrow(/^msg\.inner\.label: needs u32/);
    expect(() => encode(outer, { inner: { x: -1, label: '', tags: [] } })).toThrow(/^inner\.x: u16 must be/);
  });

  it('refuses integer-like keys, which JavaScript would reorder', () => {
    expect(() => struct({ a: u8, 1: u8 })).toThrow(UsageError);
  });

  it('refuses a non-object on encode', () => {
    expect(() => encode(point, null as unknown as Point)).toThrow(UsageError);
  });
});

describe('taggedUnion', () => {
  const shape = taggedUnion('type', {
    circle: { tag: 1, codec: struct({ r: u16 }) },
    square: { tag: 2, codec: struct({ side: u16, filled: bool }) },
    dot: { tag: 3, codec: struct({}) },
  });

  it('writes the tag byte then the variant fields, and round trips', () => {
    expect(hex(encode(shape, { type: 'circle', r: 5 }))).toBe('010005');
    expect(hex(encode(shape, { type: 'dot' }))).toBe('03');
    expect(decode(shape, bytes('02000701'))).toEqual({ type: 'square', side: 7, filled: true });
  });

  it('unknown tags are a DecodeError naming the tag', () => {
    expect(() => decode(shape, bytes('00'))).toThrow(/unknown type tag 0/);
    expect(() => decode(shape, bytes('04'))).toThrow(/unknown type tag 4/);
  });

  it('unknown variant names (including prototype keys) are a UsageError', () => {
    const bad = { type: 'toString' } as unknown as { type: 'dot' };
    expect(() => encode(shape, bad)).toThrow(/unknown type "toString"/);
  });

  it('refuses duplicate or out-of-range tags at construction', () => {
    expect(() =>
      taggedUnion('k', { a: { tag: 1, codec: struct({}) }, b: { tag: 1, codec: struct({}) } }),
    ).toThrow(/tag 1 is used twice/);
    expect(() => taggedUnion('k', { a: { tag: 256, codec: struct({}) } })).toThrow(UsageError);
  });
});

describe('refine / branded', () => {
  const even = refine(u8, (v) => (v % 2 === 0 ? undefined : 'must be even'));

  it('refine checks on both sides with the right error type', () => {
    expect(decode(even, bytes('02'))).toBe(2);
    expect(() => decode(even, bytes('03'))).toThrow(DecodeError);
    expect(() => encode(even, 3)).toThrow(UsageError);
  });

  it('branded adds a type-only brand and keeps the check', () => {
    type Small = number & { readonly __brand: 'Small' };
    const small: Codec<Small> = branded(u8, (v) => (v < 10 ? undefined : 'must be below 10'));
    const value: Small = decode(small, bytes('09'));
    expect(value).toBe(9);
    expect(() => decode(small, bytes('0a'))).toThrow(/must be below 10/);
  });
});
