// The codec combinators of shared/wire/codec.ts (docs/PROTOCOL.md §2): layouts, caps, strictness, field paths.
import { toHex } from '../../../shared/crypto/index.js';
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
} from '../../../shared/wire/index.js';
import { assertDeepEqual, assertEqual, assertThrows, fromHex } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

const utf8 = utf8String(8);
const u16List = list(u16, 3);

interface Point {
  x: number;
  label: string;
  tags: readonly number[];
}
const point: Codec<Point> = struct({ x: u16, label: utf8String(16), tags: list(u8, 4) });

const shape = taggedUnion('type', {
  circle: { tag: 1, codec: struct({ r: u16 }) },
  square: { tag: 2, codec: struct({ side: u16, filled: bool }) },
  dot: { tag: 3, codec: struct({}) },
});

const even = refine(u8, (v) => (v % 2 === 0 ? undefined : 'must be even'));

export const wireCodecSuite: PortableSuite = {
  name: 'wire/codec',
  cases: [
    {
      name: 'encode / decode: decode requires the whole input to be consumed',
      run() {
        assertEqual(decode(u16, fromHex('0102')), 0x0102, 'u16');
        assertThrows(() => decode(u16, fromHex('010203')), DecodeError, /value: 1 trailing byte/, 'a trailing byte');
        assertThrows(
          () => decode(u16, fromHex('010203'), 'thing'),
          DecodeError,
          /^thing: 1 trailing byte/,
          'named root',
        );
      },
    },
    {
      name: 'encode / decode: integer codecs round trip and check their ranges',
      run() {
        assertEqual(toHex(encode(u8, 7)), '07', 'u8');
        assertEqual(toHex(encode(u32, 0x01020304)), '01020304', 'u32');
        assertEqual(decode(u64, encode(u64, 2 ** 53 - 1)), 2 ** 53 - 1, 'u64 max');
        assertThrows(() => encode(u64, 2 ** 53), UsageError, undefined, 'u64 2^53 on encode');
        assertThrows(() => decode(u64, fromHex('0020000000000000')), DecodeError, undefined, 'u64 2^53 on decode');
      },
    },
    {
      name: 'fixedBytes / varBytes: fixedBytes: wrong length on encode is UsageError, short input is DecodeError',
      run() {
        const c = fixedBytes(4);
        assertEqual(toHex(encode(c, fromHex('01020304'))), '01020304', 'encode');
        assertThrows(() => encode(c, fromHex('010203')), UsageError, undefined, 'short on encode');
        assertThrows(() => decode(c, fromHex('010203')), DecodeError, undefined, 'short input');
        assertThrows(() => decode(c, fromHex('0102030405')), DecodeError, undefined, 'long input');
        assertThrows(() => fixedBytes(-1), UsageError, undefined, 'negative length');
      },
    },
    {
      name: 'fixedBytes / varBytes: varBytes: caps on both sides, exact prefix required',
      run() {
        const c = varBytes(3);
        assertEqual(toHex(encode(c, fromHex('aabbcc'))), '00000003aabbcc', 'encode');
        assertThrows(() => encode(c, fromHex('aabbccdd')), UsageError, undefined, 'over the cap on encode');
        assertThrows(
          () => decode(c, fromHex('00000004aabbccdd')),
          DecodeError,
          /exceeds the cap of 3/,
          'over the cap on decode',
        );
        assertThrows(() => decode(c, fromHex('00000003aabb')), DecodeError, /runs past the end/, 'prefix past the end');
        assertThrows(() => varBytes(2 ** 32), UsageError, undefined, 'cap above u32');
      },
    },
    {
      name: 'utf8String: encodes strict UTF-8 with a byte-length prefix',
      run() {
        assertEqual(toHex(encode(utf8, 'hé')), '0000000368c3a9', 'encode');
        assertEqual(decode(utf8, fromHex('0000000368c3a9')), 'hé', 'decode');
        assertEqual(decode(utf8, encode(utf8, '😀')), '😀', 'astral round trip');
      },
    },
    {
      name: 'utf8String: caps by UTF-8 bytes, not by characters',
      run() {
        assertThrows(() => encode(utf8, 'ééééé'), UsageError, /10 bytes exceed the cap of 8/, 'five 2-byte characters');
      },
    },
    {
      name: 'utf8String: rejects malformed UTF-8 on decode with DecodeError',
      run() {
        assertThrows(() => decode(utf8, fromHex('00000001ff')), DecodeError, /invalid UTF-8/, 'byte ff');
        assertThrows(() => decode(utf8, fromHex('00000002c0af')), DecodeError, undefined, 'overlong "/"');
        assertThrows(() => decode(utf8, fromHex('00000003eda080')), DecodeError, undefined, 'encoded surrogate');
        assertThrows(() => decode(utf8, fromHex('00000001c3')), DecodeError, undefined, 'truncated sequence');
      },
    },
    {
      name: 'utf8String: keeps a leading BOM so that it is not a second encoding of the rest',
      run() {
        assertEqual(decode(utf8, fromHex('00000004efbbbf61')), '\uFEFFa', 'decode keeps the BOM');
        assertEqual(toHex(encode(utf8, '\uFEFFa')), '00000004efbbbf61', 'encode keeps the BOM');
      },
    },
    {
      name: 'utf8String: refuses strings with lone surrogates (no UTF-8 form) with UsageError',
      run() {
        assertThrows(() => encode(utf8, '\uD800'), UsageError, /lone surrogate/, 'lone high surrogate');
        assertThrows(() => encode(utf8, 'a\uDC00'), UsageError, undefined, 'lone low surrogate');
      },
    },
    {
      name: 'bool / optional: bool accepts only 0 and 1',
      run() {
        assertEqual(toHex(encode(bool, true)), '01', 'true');
        assertEqual(decode(bool, fromHex('00')), false, 'false');
        assertThrows(() => decode(bool, fromHex('02')), DecodeError, /boolean byte must be 0 or 1, got 2/, 'byte 2');
        assertThrows(() => decode(bool, fromHex('ff')), DecodeError, undefined, 'byte ff');
        assertThrows(() => encode(bool, 1 as unknown as boolean), UsageError, undefined, 'the number 1');
      },
    },
    {
      name: 'bool / optional: optional has a 0/1 presence byte and nothing else',
      run() {
        const c = optional(u8);
        assertEqual(toHex(encode(c, undefined)), '00', 'absent');
        assertEqual(toHex(encode(c, 5)), '0105', 'present');
        assertEqual(decode(c, fromHex('00')), undefined, 'decode absent');
        assertEqual(decode(c, fromHex('0105')), 5, 'decode present');
        assertThrows(() => decode(c, fromHex('0205')), DecodeError, /presence byte must be 0 or 1/, 'presence byte 2');
        assertThrows(() => decode(c, fromHex('0005')), DecodeError, /trailing/, 'a value after "absent"');
      },
    },
    {
      name: 'list: writes a u32 count then the items',
      run() {
        assertEqual(toHex(encode(u16List, [1, 2])), '0000000200010002', 'encode');
        assertDeepEqual(decode(u16List, fromHex('00000000')), [], 'empty list');
      },
    },
    {
      name: 'list: enforces the count cap before reading any item',
      run() {
        assertThrows(
          () => encode(u16List, [1, 2, 3, 4]),
          UsageError,
          /4 items exceed the cap of 3/,
          'encode over the cap',
        );
        assertThrows(
          () => decode(u16List, fromHex('ffffffff')),
          DecodeError,
          /count 4294967295 exceeds the cap of 3/,
          'decode over the cap',
        );
      },
    },
    {
      name: 'list: names the failing item index',
      run() {
        assertThrows(() => decode(u16List, fromHex('000000020001aa')), DecodeError, /^value\[1\]: needs u16/, 'decode');
        assertThrows(() => encode(u16List, [1, 70000]), UsageError, /^value\[1\]: u16 must be/, 'encode');
      },
    },
    {
      name: 'struct: encodes fields in key order without names',
      run() {
        const value: Point = { x: 1, label: 'a', tags: [9] };
        assertEqual(toHex(encode(point, value)), '0001' + '0000000161' + '0000000109', 'encode');
        assertDeepEqual(decode(point, encode(point, value)), value, 'round trip');
      },
    },
    {
      name: 'struct: ignores properties that are not in the schema on encode, and never produces them',
      run() {
        const extra = { x: 1, label: 'a', tags: [], secret: 'no' };
        const decoded = decode(point, encode(point, extra));
        assertDeepEqual(Object.keys(decoded), ['x', 'label', 'tags'], 'keys, in order');
      },
    },
    {
      name: 'struct: names the failing field path',
      run() {
        const outer = struct({ inner: point });
        assertThrows(
          () => decode(outer, fromHex('0001000000'), 'msg'),
          DecodeError,
          /^msg\.inner\.label: needs u32/,
          'decode',
        );
        assertThrows(
          () => encode(outer, { inner: { x: -1, label: '', tags: [] } }),
          UsageError,
          /^inner\.x: u16 must be/,
          'encode',
        );
      },
    },
    {
      name: 'struct: refuses integer-like keys, which JavaScript would reorder',
      run() {
        assertThrows(() => struct({ a: u8, 1: u8 }), UsageError, undefined, 'key "1"');
      },
    },
    {
      name: 'struct: refuses a non-object on encode',
      run() {
        assertThrows(() => encode(point, null as unknown as Point), UsageError, undefined, 'null');
      },
    },
    {
      name: 'taggedUnion: writes the tag byte then the variant fields, and round trips',
      run() {
        assertEqual(toHex(encode(shape, { type: 'circle', r: 5 })), '010005', 'circle');
        assertEqual(toHex(encode(shape, { type: 'dot' })), '03', 'dot');
        assertDeepEqual(decode(shape, fromHex('02000701')), { type: 'square', side: 7, filled: true }, 'square');
      },
    },
    {
      name: 'taggedUnion: unknown tags are a DecodeError naming the tag',
      run() {
        assertThrows(() => decode(shape, fromHex('00')), DecodeError, /unknown type tag 0/, 'tag 0');
        assertThrows(() => decode(shape, fromHex('04')), DecodeError, /unknown type tag 4/, 'tag 4');
      },
    },
    {
      name: 'taggedUnion: unknown variant names (including prototype keys) are a UsageError',
      run() {
        const bad = { type: 'toString' } as unknown as { type: 'dot' };
        assertThrows(() => encode(shape, bad), UsageError, /unknown type "toString"/, 'toString');
      },
    },
    {
      name: 'taggedUnion: refuses duplicate or out-of-range tags at construction',
      run() {
        assertThrows(
          () => taggedUnion('k', { a: { tag: 1, codec: struct({}) }, b: { tag: 1, codec: struct({}) } }),
          UsageError,
          /tag 1 is used twice/,
          'duplicate tag',
        );
        assertThrows(() => taggedUnion('k', { a: { tag: 256, codec: struct({}) } }), UsageError, undefined, 'tag 256');
      },
    },
    {
      name: 'refine / branded: refine checks on both sides with the right error type',
      run() {
        assertEqual(decode(even, fromHex('02')), 2, 'even');
        assertThrows(() => decode(even, fromHex('03')), DecodeError, undefined, 'odd on decode');
        assertThrows(() => encode(even, 3), UsageError, undefined, 'odd on encode');
      },
    },
    {
      name: 'refine / branded: branded adds a type-only brand and keeps the check',
      run() {
        type Small = number & { readonly __brand: 'Small' };
        const small: Codec<Small> = branded(u8, (v) => (v < 10 ? undefined : 'must be below 10'));
        const value: Small = decode(small, fromHex('09'));
        assertEqual(value, 9, 'value');
        assertThrows(() => decode(small, fromHex('0a')), DecodeError, /must be below 10/, '10');
      },
    },
  ],
};
