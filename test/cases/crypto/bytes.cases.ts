// Byte helpers of shared/crypto/bytes.ts and base32.ts (RFC 4648 §10 test vectors), randomness.
import { DecodeError } from '../../../shared/errors/index.js';
import {
  concatBytes,
  constantTimeEqual,
  fromBase32,
  fromBase64Url,
  fromHex,
  secureRandom,
  toBase32,
  toBase64Url,
  toHex,
  utf8Decode,
  utf8Encode,
  wipe,
} from '../../../shared/crypto/index.js';
import { assertBytes, assertEqual, assertTrue } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

// RFC 4648 §10: BASE32 and BASE64 of "", "f", "fo", ... "foobar" (lowercase / url alphabet, no padding).
const RFC4648 = [
  ['', '', ''],
  ['f', 'my', 'Zg'],
  ['fo', 'mzxq', 'Zm8'],
  ['foo', 'mzxw6', 'Zm9v'],
  ['foob', 'mzxw6yq', 'Zm9vYg'],
  ['fooba', 'mzxw6ytb', 'Zm9vYmE'],
  ['foobar', 'mzxw6ytboi', 'Zm9vYmFy'],
] as const;

function assertDecodeError(action: () => unknown, what: string): void {
  try {
    action();
  } catch (error) {
    assertTrue(error instanceof DecodeError, `${what}: DecodeError, got ${String(error)}`);
    return;
  }
  assertTrue(false, `${what}: DecodeError, but it succeeded`);
}

export const bytesSuite: PortableSuite = {
  name: 'crypto/bytes',
  cases: [
    {
      name: 'RFC 4648 §10 vectors: base32 (lowercase, unpadded) and base64url',
      run() {
        for (const [text, b32, b64] of RFC4648) {
          const bytes = utf8Encode(text);
          assertEqual(toBase32(bytes), b32, `base32 of "${text}"`);
          assertBytes(fromBase32(b32), bytes, `base32 decode of "${b32}"`);
          assertBytes(fromBase32(b32.toUpperCase()), bytes, `base32 decode is case-insensitive`);
          assertEqual(toBase64Url(bytes), b64, `base64url of "${text}"`);
          assertBytes(fromBase64Url(b64), bytes, `base64url decode of "${b64}"`);
        }
        assertEqual(toBase64Url(new Uint8Array([0xfb, 0xff])), '-_8', 'url alphabet');
      },
    },
    {
      name: 'strict decoders: bad characters, impossible lengths, padding and non-canonical bits are DecodeError',
      run() {
        assertDecodeError(() => fromBase64Url('Zm9v='), 'padding');
        assertDecodeError(() => fromBase64Url('Zm+v'), 'standard alphabet +');
        assertDecodeError(() => fromBase64Url('Z'), 'length 1 mod 4');
        assertDecodeError(() => fromBase64Url('Zh'), 'non-zero trailing bits');
        assertDecodeError(() => fromBase32('mzx1'), 'digit 1');
        assertDecodeError(() => fromBase32('m'), 'length 1 mod 8');
        assertDecodeError(() => fromBase32('mz'), 'non-zero trailing bits');
        assertDecodeError(() => fromBase32('\u212aa'), 'KELVIN SIGN is not "k" (ASCII-only case folding)');
        assertDecodeError(() => fromHex('abc'), 'odd hex');
        assertDecodeError(() => fromHex('zz'), 'non-hex');
        assertDecodeError(() => fromHex('0x'), '0x prefix');
        assertBytes(fromHex('00FFaB'), new Uint8Array([0, 255, 171]), 'mixed-case hex');
        assertEqual(toHex(new Uint8Array([0, 255, 171])), '00ffab', 'toHex');
      },
    },
    {
      name: 'UTF-8 round trip; invalid UTF-8 is DecodeError, never U+FFFD',
      run() {
        const text = 'héllo \u{1F512} \u202Etest';
        assertEqual(utf8Decode(utf8Encode(text)), text, 'round trip');
        assertDecodeError(() => utf8Decode(new Uint8Array([0xc3])), 'truncated sequence');
        assertDecodeError(() => utf8Decode(new Uint8Array([0xed, 0xa0, 0x80])), 'encoded surrogate');
        assertDecodeError(() => utf8Decode(new Uint8Array([0xc0, 0xaf])), 'overlong encoding');
        assertEqual(utf8Decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), '\uFEFFa', 'BOM is kept, not stripped');
      },
    },
    {
      name: 'constantTimeEqual, concatBytes, wipe',
      run() {
        const a = new Uint8Array([1, 2, 3]);
        assertTrue(constantTimeEqual(a, new Uint8Array([1, 2, 3])), 'equal');
        assertTrue(!constantTimeEqual(a, new Uint8Array([1, 2, 4])), 'last byte differs');
        assertTrue(!constantTimeEqual(a, new Uint8Array([0, 2, 3])), 'first byte differs');
        assertTrue(!constantTimeEqual(a, new Uint8Array([1, 2])), 'length mismatch');
        assertTrue(!constantTimeEqual(new Uint8Array(0), new Uint8Array([0])), 'empty vs one zero byte');
        assertTrue(constantTimeEqual(new Uint8Array(0), new Uint8Array(0)), 'both empty');
        assertBytes(concatBytes(a, new Uint8Array(0), a.subarray(1)), new Uint8Array([1, 2, 3, 2, 3]), 'concat');
        assertEqual(concatBytes().length, 0, 'concat of nothing');
        const secret = new Uint8Array([9, 9, 9]);
        wipe(secret);
        assertBytes(secret, new Uint8Array(3), 'wiped');
      },
    },
    {
      name: 'secureRandom: lengths 0, 1, 65536 and 200000 (chunked), not all zero, two draws differ',
      run() {
        assertEqual(secureRandom(0).length, 0, 'zero');
        assertEqual(secureRandom(1).length, 1, 'one');
        assertEqual(secureRandom(65536).length, 65536, '64 KiB');
        const big = secureRandom(200_000);
        assertEqual(big.length, 200_000, 'over one chunk');
        assertTrue(
          big.subarray(199_000).some((b) => b !== 0),
          'the last chunk is filled',
        );
        assertTrue(!constantTimeEqual(secureRandom(32), secureRandom(32)), 'two draws differ');
      },
    },
  ],
};
