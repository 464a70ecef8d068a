// The 16-byte ids of shared/wire/ids.ts: construction, codecs, hex helpers.
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
} from '../../../shared/wire/index.js';
import { assertEqual, assertThrows, assertTrue } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';
import { nodeBufferLike } from './node-buffer-like.js';

export const wireIdsSuite: PortableSuite = {
  name: 'wire/ids',
  cases: [
    {
      name: 'ids: are 16 bytes; asX checks the length and copies',
      run() {
        assertEqual(ID_BYTES, 16, 'ID_BYTES');
        const raw = new Uint8Array(16).fill(3);
        const id = asConversationId(raw);
        raw[0] = 9;
        assertEqual(id[0], 3, 'the id is a copy');
        assertThrows(
          () => asConversationId(new Uint8Array(15)),
          DecodeError,
          /conversation id must be 16 bytes, got 15 bytes/,
          '15 bytes',
        );
        assertThrows(() => asDeviceId(new Uint8Array(17)), DecodeError, undefined, '17 bytes');
        assertThrows(() => asAccountId(new Uint8Array(0)), DecodeError, undefined, '0 bytes');
      },
    },
    {
      name: 'ids: codecs are fixed 16 bytes with no prefix',
      run() {
        const id = asDeviceId(new Uint8Array(16).fill(0xab));
        assertEqual(encode(deviceIdCodec, id).length, 16, 'encoded length');
        assertEqual(idToHex(decode(deviceIdCodec, encode(deviceIdCodec, id))), 'ab'.repeat(16), 'round trip');
        assertThrows(() => decode(accountIdCodec, new Uint8Array(15)), DecodeError, undefined, '15 bytes');
        assertThrows(() => decode(conversationIdCodec, new Uint8Array(17)), DecodeError, /trailing/, '17 bytes');
      },
    },
    {
      name: 'ids: hex helpers round trip and compare',
      run() {
        const a = asAccountId(Uint8Array.from({ length: 16 }, (_, i) => i));
        const text = idToHex(a);
        assertEqual(text, '000102030405060708090a0b0c0d0e0f', 'idToHex');
        assertEqual(idEquals(asAccountId(idBytesFromHex(text)), a), true, 'round trip is equal');
        assertEqual(idEquals(asAccountId(new Uint8Array(16)), a), false, 'another id is not equal');
        assertThrows(() => idBytesFromHex('00'), DecodeError, undefined, 'short hex');
        assertThrows(() => idBytesFromHex('G'.repeat(32)), DecodeError, undefined, 'non-hex');
      },
    },
    {
      name: 'ids: idToHex (lookup table) gives the per-byte lower-case hex for every byte value at every position',
      run() {
        const reference = (bytes: Uint8Array): string =>
          Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
        for (let v = 0; v < 256; v++) {
          for (let pos = 0; pos < ID_BYTES; pos++) {
            const raw = Uint8Array.from({ length: ID_BYTES }, (_, i) => (i === pos ? v : (v * 7 + i * 31) & 0xff));
            assertEqual(idToHex(asDeviceId(raw)), reference(raw), `byte ${v} at ${pos}`);
          }
        }
        // A view into a larger buffer (a Node Buffer slice, as ws and SQLite hand out) is read from its own offset.
        const backing = nodeBufferLike(
          Uint8Array.from({ length: 40 }, (_, i) => 255 - i),
          { before: 24, after: 24, fill: 0x5a },
        );
        assertTrue(backing.byteOffset !== 0, 'the backing view sits at an offset, as a pooled Buffer does');
        const view = backing.subarray(7, 7 + ID_BYTES) as unknown as DeviceId;
        assertEqual(idToHex(view), reference(backing.subarray(7, 7 + ID_BYTES)), 'a Buffer-like view');
        // Past the type system, a value of another length still gets the hex of each of its bytes.
        for (const length of [0, 1, 15, 17, 32]) {
          const odd = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
          assertEqual(idToHex(odd as DeviceId), reference(odd), `length ${length}`);
        }
      },
    },
  ],
};
