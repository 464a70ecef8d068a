import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  type DeviceId,
  ID_BYTES,
  accountIdCodec,
  asAccountId,
  asConversationId,
  asDeviceId,
  conversationIdCodec,
  decode,
  deviceIdCodec,
  encode,
  idBytesFromHex,
  idEquals,
  idToHex,
} from '../../shared/wire/index.js';

describe('ids', () => {
  it('are 16 bytes; asX checks the length and copies', () => {
    expect(ID_BYTES).toBe(16);
    const raw = new Uint8Array(16).fill(3);
    const id = asConversationId(raw);
    raw[0] = 9;
    expect(id[0]).toBe(3);
    expect(() => asConversationId(new Uint8Array(15))).toThrow(/conversation id must be 16 bytes, got 15 bytes/);
    expect(() => asDeviceId(new Uint8Array(17))).toThrow(DecodeError);
    expect(() => asAccountId(new Uint8Array(0))).toThrow(DecodeError);
  });

  it('codecs are fixed 16 bytes with no prefix', () => {
    const id = asDeviceId(new Uint8Array(16).fill(0xab));
    expect(encode(deviceIdCodec, id).length).toBe(16);
    expect(idToHex(decode(deviceIdCodec, encode(deviceIdCodec, id)))).toBe('ab'.repeat(16));
    expect(() => decode(accountIdCodec, new Uint8Array(15))).toThrow(DecodeError);
    expect(() => decode(conversationIdCodec, new Uint8Array(17))).toThrow(/trailing/);
  });

  it('hex helpers round trip and compare', () => {
    const a = asAccountId(Uint8Array.from({ length: 16 }, (_, i) => i));
    const text = idToHex(a);
    expect(text).toBe('000102030405060708090a0b0c0d0e0f');
    expect(idEquals(asAccountId(idBytesFromHex(text)), a)).toBe(true);
    expect(idEquals(asAccountId(new Uint8Array(16)), a)).toBe(false);
    expect(() => idBytesFromHex('00')).toThrow(DecodeError);
    expect(() => idBytesFromHex('G'.repeat(32))).toThrow(DecodeError);
  });

  it('idToHex (lookup table) gives the per-byte lower-case hex for every byte value at every position', () => {
    const reference = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    for (let v = 0; v < 256; v++) {
      for (let pos = 0; pos < ID_BYTES; pos++) {
        const raw = Uint8Array.from({ length: ID_BYTES }, (_, i) => (i === pos ? v : (v * 7 + i * 31) & 0xff));
        expect(idToHex(asDeviceId(raw))).toBe(reference(raw));
      }
    }
    // A view into a larger buffer (a Node Buffer slice, as ws and SQLite hand out) is read from its own offset.
    const backing = Buffer.from(Array.from({ length: 40 }, (_, i) => 255 - i));
    const view = backing.subarray(7, 7 + ID_BYTES) as unknown as DeviceId;
    expect(idToHex(view)).toBe(reference(backing.subarray(7, 7 + ID_BYTES)));
    // Past the type system, a value of another length still gets the hex of each of its bytes.
    for (const length of [0, 1, 15, 17, 32]) {
      const odd = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
      expect(idToHex(odd as DeviceId)).toBe(reference(odd));
    }
  });
});
