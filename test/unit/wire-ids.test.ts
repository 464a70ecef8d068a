import { describe, expect, it } from 'vitest';
import {
  DecodeError,
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
});
