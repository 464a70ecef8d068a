// The big-endian Writer and strict Reader of shared/wire (docs/PROTOCOL.md §2).
import { toHex } from '../../../shared/crypto/index.js';
import { DecodeError, Reader, UsageError, Writer } from '../../../shared/wire/index.js';
import { assertEqual, assertThrows, assertTrue, fromHex } from '../assert.js';
import type { PortableCase, PortableSuite } from '../portable-case.js';
import { nodeBufferLike } from './node-buffer-like.js';

const outOfRange: readonly (readonly [string, (w: Writer) => unknown])[] = [
  ['u8', (w) => w.u8(256)],
  ['u8 negative', (w) => w.u8(-1)],
  ['u8 fraction', (w) => w.u8(1.5)],
  ['u16', (w) => w.u16(65536)],
  ['u32', (w) => w.u32(2 ** 32)],
  ['u32 NaN', (w) => w.u32(Number.NaN)],
  ['u64 2^53', (w) => w.u64(2 ** 53)],
  ['u64 negative', (w) => w.u64(-1)],
  ['u64 infinity', (w) => w.u64(Number.POSITIVE_INFINITY)],
];

const shortInputs: readonly (readonly [string, string, (r: Reader) => unknown])[] = [
  ['u8', '', (r) => r.u8()],
  ['u16', 'aa', (r) => r.u16()],
  ['u32', 'aabbcc', (r) => r.u32()],
  ['u64', 'aabbccddeeff00', (r) => r.u64()],
  ['fixed', 'aabb', (r) => r.fixed(3)],
  ['bytes prefix', '000000', (r) => r.bytes(10)],
];

const writerCases: PortableCase[] = [
  {
    name: 'Writer: writes big-endian integers of each width',
    run() {
      const out = new Writer().u8(0xab).u16(0x0102).u32(0x01020304).u64(0x0102030405).finish();
      assertEqual(toHex(out), 'ab' + '0102' + '01020304' + '0000000102030405', 'bytes');
    },
  },
  {
    name: 'Writer: writes the extremes of each width',
    run() {
      const out = new Writer().u8(255).u16(65535).u32(0xffffffff).u64(Number.MAX_SAFE_INTEGER).finish();
      assertEqual(toHex(out), 'ff' + 'ffff' + 'ffffffff' + '001fffffffffffff', 'maxima');
      assertEqual(toHex(new Writer().u64(0).finish()), '0000000000000000', 'u64 zero');
    },
  },
  ...outOfRange.map(([name, write]): PortableCase => ({
    name: `Writer: rejects an out-of-range ${name} with UsageError`,
    run() {
      assertThrows(() => write(new Writer()), UsageError, undefined, name);
    },
  })),
  {
    name: 'Writer: fixed writes exactly the given length and rejects any other',
    run() {
      assertEqual(toHex(new Writer().fixed(fromHex('0102'), 2).finish()), '0102', 'two bytes');
      assertThrows(
        () => new Writer().fixed(fromHex('0102'), 3),
        UsageError,
        /expected exactly 3 bytes, got 2/,
        'wrong length',
      );
      assertThrows(() => new Writer().fixed(fromHex('0102'), -1), UsageError, undefined, 'negative length');
    },
  },
  {
    name: 'Writer: bytes writes a u32 length prefix and enforces the cap',
    run() {
      assertEqual(toHex(new Writer().bytes(fromHex('aabb'), 2).finish()), '00000002aabb', 'two bytes');
      assertEqual(toHex(new Writer().bytes(new Uint8Array(0), 0).finish()), '00000000', 'empty');
      assertThrows(
        () => new Writer().bytes(fromHex('aabbcc'), 2),
        UsageError,
        /3 bytes exceed the cap of 2/,
        'over the cap',
      );
      assertThrows(() => new Writer().bytes(fromHex('aa'), 2 ** 32), UsageError, undefined, 'cap above u32');
    },
  },
  {
    name: 'Writer: grows past its initial buffer and finish returns an independent copy',
    run() {
      const w = new Writer();
      const big = new Uint8Array(1000).fill(7);
      w.bytes(big, 1000).u8(1);
      const out = w.finish();
      assertEqual(out.length, 1005, 'length');
      assertEqual(out[4], 7, 'first body byte');
      assertEqual(out[1004], 1, 'last byte');
      out[4] = 0;
      assertEqual(w.finish()[4], 7, 'a second finish is unaffected');
    },
  },
  {
    name: 'Writer: names the field path in its errors',
    run() {
      const w = new Writer();
      assertThrows(
        () => {
          w.field('outer', () => {
            w.field('[2]', () => {
              w.u8(300);
            });
          });
        },
        UsageError,
        /^outer\[2\]: u8 must be/,
        'nested fields',
      );
    },
  },
];

const readerCases: PortableCase[] = [
  {
    name: 'Reader: reads what the writer wrote',
    run() {
      const r = new Reader(fromHex('ab' + '0102' + 'ffffffff' + '001fffffffffffff' + '00000002aabb' + 'ccdd'));
      assertEqual(r.u8(), 0xab, 'u8');
      assertEqual(r.u16(), 0x0102, 'u16');
      assertEqual(r.u32(), 0xffffffff, 'u32');
      assertEqual(r.u64(), Number.MAX_SAFE_INTEGER, 'u64');
      assertEqual(toHex(r.bytes(2)), 'aabb', 'bytes');
      assertEqual(r.remaining(), 2, 'remaining');
      assertEqual(toHex(r.fixed(2)), 'ccdd', 'fixed');
      assertEqual(r.remaining(), 0, 'nothing remains');
      r.end();
    },
  },
  {
    name: 'Reader: rejects u64 values above 2^53-1',
    run() {
      assertThrows(() => new Reader(fromHex('0020000000000000')).u64(), DecodeError, /u64 above 2\^53-1/, '2^53');
      assertThrows(() => new Reader(fromHex('ffffffffffffffff')).u64(), DecodeError, undefined, '2^64-1');
      assertThrows(() => new Reader(fromHex('8000000000000000')).u64(), DecodeError, undefined, '2^63');
    },
  },
  ...shortInputs.map(([name, input, read]): PortableCase => ({
    name: `Reader: short input for ${name} is a DecodeError`,
    run() {
      assertThrows(() => read(new Reader(fromHex(input))), DecodeError, undefined, name);
    },
  })),
  {
    name: 'Reader: a length prefix past the buffer is a DecodeError, not a RangeError',
    run() {
      assertThrows(
        () => new Reader(fromHex('00000005aabb')).bytes(100),
        DecodeError,
        /length prefix 5 runs past the end/,
        'prefix 5',
      );
      assertThrows(() => new Reader(fromHex('ffffffff')).bytes(0xffffffff), DecodeError, undefined, 'prefix 2^32-1');
    },
  },
  {
    name: 'Reader: a length over the cap is rejected before the buffer is even looked at',
    run() {
      // The prefix claims 4 GiB; the cap check must fire first (nothing is allocated).
      assertThrows(
        () => new Reader(fromHex('ffffffff')).bytes(16),
        DecodeError,
        /length 4294967295 exceeds the cap of 16/,
        '4 GiB',
      );
      assertThrows(
        () => new Reader(fromHex('00000003aabbcc')).bytes(2),
        DecodeError,
        undefined,
        'three over a cap of two',
      );
    },
  },
  {
    name: 'Reader: end() rejects trailing bytes and names how many',
    run() {
      const r = new Reader(fromHex('0102'));
      r.u8();
      assertThrows(
        () => {
          r.end();
        },
        DecodeError,
        /1 trailing byte after the value/,
        'one byte left',
      );
    },
  },
  {
    name: 'Reader: returns copies, never views into the input (also for Node Buffers)',
    run() {
      // A Buffer-like input: a Uint8Array subclass at an offset in a shared pool (see ./node-buffer-like.ts).
      const input = nodeBufferLike(fromHex('00000002aabbccdd'), { before: 16, after: 16 });
      const r = new Reader(input);
      const a = r.bytes(2);
      const b = r.fixed(2);
      assertTrue(Object.getPrototypeOf(a) === Uint8Array.prototype, 'bytes() gives a plain Uint8Array');
      assertTrue(Object.getPrototypeOf(b) === Uint8Array.prototype, 'fixed() gives a plain Uint8Array');
      assertTrue(a.buffer !== input.buffer, 'bytes() does not share the input memory');
      input.fill(0);
      assertEqual(toHex(a), 'aabb', 'bytes() after the input is wiped');
      assertEqual(toHex(b), 'ccdd', 'fixed() after the input is wiped');
    },
  },
  {
    name: 'Reader: reads correctly from a subarray with a non-zero offset',
    run() {
      const backing = fromHex('ff' + '0102' + 'ff');
      const r = new Reader(backing.subarray(1, 3));
      assertEqual(r.u16(), 0x0102, 'u16');
      r.end();
    },
  },
  {
    name: 'Reader: names the field path in its errors',
    run() {
      const r = new Reader(new Uint8Array(0));
      assertThrows(
        () => r.field('envelope', () => r.field('recipient', () => r.u8())),
        DecodeError,
        /^envelope\.recipient: needs u8, but only 0 bytes remain$/,
        'nested fields',
      );
    },
  },
  {
    name: 'Reader: refuses a non-Uint8Array input and bad schema parameters with UsageError',
    run() {
      assertThrows(() => new Reader([1, 2] as unknown as Uint8Array), UsageError, undefined, 'an array');
      assertThrows(() => new Reader(new Uint8Array(4)).fixed(-1), UsageError, undefined, 'negative fixed length');
      assertThrows(() => new Reader(new Uint8Array(4)).bytes(1.5), UsageError, undefined, 'fractional cap');
    },
  },
];

export const wireReaderWriterSuite: PortableSuite = {
  name: 'wire/reader-writer',
  cases: [...writerCases, ...readerCases],
};
