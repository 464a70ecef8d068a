import { describe, expect, it } from 'vitest';
import { DecodeError, Reader, UsageError, Writer } from '../../shared/wire/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('Writer', () => {
  it('writes big-endian integers of each width', () => {
    const out = new Writer().u8(0xab).u16(0x0102).u32(0x01020304).u64(0x0102030405).finish();
    expect(hex(out)).toBe('ab' + '0102' + '01020304' + '0000000102030405');
  });

  it('writes the extremes of each width', () => {
    const out = new Writer().u8(255).u16(65535).u32(0xffffffff).u64(Number.MAX_SAFE_INTEGER).finish();
    expect(hex(out)).toBe('ff' + 'ffff' + 'ffffffff' + '001fffffffffffff');
    expect(hex(new Writer().u64(0).finish())).toBe('0000000000000000');
  });

  it.each([
    ['u8', (w: Writer) => w.u8(256)],
    ['u8 negative', (w: Writer) => w.u8(-1)],
    ['u8 fraction', (w: Writer) => w.u8(1.5)],
    ['u16', (w: Writer) => w.u16(65536)],
    ['u32', (w: Writer) => w.u32(2 ** 32)],
    ['u32 NaN', (w: Writer) => w.u32(Number.NaN)],
    ['u64 2^53', (w: Writer) => w.u64(2 ** 53)],
    ['u64 negative', (w: Writer) => w.u64(-1)],
    ['u64 infinity', (w: Writer) => w.u64(Number.POSITIVE_INFINITY)],
  ])('rejects an out-of-range %s with UsageError', (_name, write) => {
    expect(() => write(new Writer())).toThrow(UsageError);
  });

  it('fixed writes exactly the given length and rejects any other', () => {
    expect(hex(new Writer().fixed(bytes('0102'), 2).finish())).toBe('0102');
    expect(() => new Writer().fixed(bytes('0102'), 3)).toThrow(/expected exactly 3 bytes, got 2/);
    expect(() => new Writer().fixed(bytes('0102'), -1)).toThrow(UsageError);
  });

  it('bytes writes a u32 length prefix and enforces the cap', () => {
    expect(hex(new Writer().bytes(bytes('aabb'), 2).finish())).toBe('00000002aabb');
    expect(hex(new Writer().bytes(new Uint8Array(0), 0).finish())).toBe('00000000');
    expect(() => new Writer().bytes(bytes('aabbcc'), 2)).toThrow(/3 bytes exceed the cap of 2/);
    expect(() => new Writer().bytes(bytes('aa'), 2 ** 32)).toThrow(UsageError);
  });

  it('grows past its initial buffer and finish returns an independent copy', () => {
    const w = new Writer();
    const big = new Uint8Array(1000).fill(7);
    w.bytes(big, 1000).u8(1);
    const out = w.finish();
    expect(out.length).toBe(1005);
    expect(out[4]).toBe(7);
    expect(out[1004]).toBe(1);
    out[4] = 0;
    expect(w.finish()[4]).toBe(7);
  });

  it('names the field path in its errors', () => {
    const w = new Writer();
    expect(() => {
      w.field('outer', () => {
        w.field('[2]', () => {
          w.u8(300);
        });
      });
    }).toThrow(/^outer\[2\]: u8 must be/);
  });
});

describe('Reader', () => {
  it('reads what the writer wrote', () => {
    const r = new Reader(bytes('ab' + '0102' + 'ffffffff' + '001fffffffffffff' + '00000002aabb' + 'ccdd'));
    expect(r.u8()).toBe(0xab);
    expect(r.u16()).toBe(0x0102);
    expect(r.u32()).toBe(0xffffffff);
    expect(r.u64()).toBe(Number.MAX_SAFE_INTEGER);
    expect(hex(r.bytes(2))).toBe('aabb');
    expect(r.remaining()).toBe(2);
    expect(hex(r.fixed(2))).toBe('ccdd');
    expect(r.remaining()).toBe(0);
    r.end();
  });

  it('rejects u64 values above 2^53-1', () => {
    expect(() => new Reader(bytes('0020000000000000')).u64()).toThrow(/u64 above 2\^53-1/);
    expect(() => new Reader(bytes('ffffffffffffffff')).u64()).toThrow(DecodeError);
    expect(() => new Reader(bytes('8000000000000000')).u64()).toThrow(DecodeError);
  });

  it.each([
    ['u8', '', (r: Reader) => r.u8()],
    ['u16', 'aa', (r: Reader) => r.u16()],
    ['u32', 'aabbcc', (r: Reader) => r.u32()],
    ['u64', 'aabbccddeeff00', (r: Reader) => r.u64()],
    ['fixed', 'aabb', (r: Reader) => r.fixed(3)],
    ['bytes prefix', '000000', (r: Reader) => r.bytes(10)],
  ])('short input for %s is a DecodeError', (_name, input, read) => {
    expect(() => read(new Reader(bytes(input)))).toThrow(DecodeError);
  });

  it('a length prefix past the buffer is a DecodeError, not a RangeError', () => {
    expect(() => new Reader(bytes('00000005aabb')).bytes(100)).toThrow(/length prefix 5 runs past the end/);
    expect(() => new Reader(bytes('ffffffff')).bytes(0xffffffff)).toThrow(DecodeError);
  });

  it('a length over the cap is rejected before the buffer is even looked at', () => {
    // The prefix claims 4 GiB; the cap check must fire first (nothing is allocated).
    expect(() => new Reader(bytes('ffffffff')).bytes(16)).toThrow(/length 4294967295 exceeds the cap of 16/);
    expect(() => new Reader(bytes('00000003aabbcc')).bytes(2)).toThrow(DecodeError);
  });

  it('end() rejects trailing bytes and names how many', () => {
    const r = new Reader(bytes('0102'));
    r.u8();
    expect(() => {
      r.end();
    }).toThrow(/1 trailing byte after the value/);
  });

  it('returns copies, never views into the input (also for Node Buffers)', () => {
    const input = Buffer.from('00000002aabbccdd', 'hex');
    const r = new Reader(input);
    const a = r.bytes(2);
    const b = r.fixed(2);
    expect(Buffer.isBuffer(a)).toBe(false);
    expect(a.buffer).not.toBe(input.buffer);
    input.fill(0);
    expect(hex(a)).toBe('aabb');
    expect(hex(b)).toBe('ccdd');
  });

  it('reads correctly from a subarray with a non-zero offset', () => {
    const backing = bytes('ff' + '0102' + 'ff');
    const r = new Reader(backing.subarray(1, 3));
    expect(r.u16()).toBe(0x0102);
    r.end();
  });

  it('names the field path in its errors', () => {
    const r = new Reader(new Uint8Array(0));
    expect(() => r.field('envelope', () => r.field('recipient', () => r.u8()))).toThrow(
      /^envelope\.recipient: needs u8, but only 0 bytes remain$/,
    );
  });

  it('refuses a non-Uint8Array input and bad schema parameters with UsageError', () => {
    expect(() => new Reader([1, 2] as unknown as Uint8Array)).toThrow(UsageError);
    expect(() => new Reader(new Uint8Array(4)).fixed(-1)).toThrow(UsageError);
    expect(() => new Reader(new Uint8Array(4)).bytes(1.5)).toThrow(UsageError);
  });
});
