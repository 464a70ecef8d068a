// Fingerprints, safety digits and SAS of shared/crypto/fingerprint.ts. The expected values were
// computed independently (Python hashlib/base64) from the encoding documented in fingerprint.ts.
import { DecodeError, UsageError } from '../../../shared/errors/index.js';
import {
  fingerprintBytes,
  formatDigits,
  formatFingerprint,
  parseFingerprint,
  shortAuthCode,
} from '../../../shared/crypto/index.js';
import { assertBytes, assertEqual, assertRejects, assertTrue, fromHex } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

const LABEL = 'sealdesk fingerprint test';
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
// SHA-256(u32be(25) || LABEL || u32be(32) || 00 01 .. 1f)
const EXPECTED = '747aa364ba317ef37d89f94bb48633840717d1a9f3f13a0fcfb1b0b9e66e0232';

function assertThrows(action: () => unknown, errorClass: typeof DecodeError | typeof UsageError, what: string): void {
  try {
    action();
  } catch (error) {
    assertTrue(error instanceof errorClass, `${what}: ${errorClass.name}, got ${String(error)}`);
    return;
  }
  assertTrue(false, `${what}: ${errorClass.name}, but it succeeded`);
}

export const fingerprintSuite: PortableSuite = {
  name: 'crypto/fingerprint',
  cases: [
    {
      name: 'fingerprintBytes: known answer, label and key are domain-separated',
      async run() {
        assertBytes(await fingerprintBytes(LABEL, KEY), fromHex(EXPECTED), 'known answer');
        const other = await fingerprintBytes(LABEL + 'x', KEY);
        assertTrue(!other.every((b, i) => b === fromHex(EXPECTED)[i]), 'other label, other fingerprint');
        // Length prefixes: moving a byte from the label to the key must change the digest.
        const a = await fingerprintBytes('ab', new Uint8Array([1]));
        const b = await fingerprintBytes('a', new Uint8Array([0x62, 1]));
        assertTrue(!a.every((x, i) => x === b[i]), 'label/key boundary is unambiguous');
        await assertRejects(() => fingerprintBytes('', KEY), UsageError, 'empty label');
      },
    },
    {
      name: 'formatFingerprint / parseFingerprint: known text, groups of 4, tolerant of case and spaces',
      run() {
        const bytes = fromHex(EXPECTED);
        const full = 'or5k gzf2 gf7p g7mj 7ff3 jbrt qqdr punj 6pyt ud6p wgyl tzto aiza';
        assertEqual(formatFingerprint(bytes), full, '256-bit fingerprint');
        assertEqual(
          formatFingerprint(bytes.subarray(0, 20)),
          'or5k gzf2 gf7p g7mj 7ff3 jbrt qqdr punj',
          '160-bit fingerprint',
        );
        assertBytes(parseFingerprint(full), bytes, 'parse');
        assertBytes(parseFingerprint(full.toUpperCase().replace(/ /g, '  ')), bytes, 'upper case, double spaces');
        assertBytes(parseFingerprint(full.replace(/ /g, '')), bytes, 'no spaces');
        assertThrows(() => parseFingerprint(full.replace('o', '0')), DecodeError, 'digit 0');
        assertThrows(() => parseFingerprint('or5k gzf2'), DecodeError, 'fewer than 160 bits');
        assertThrows(() => parseFingerprint(full + 'aa'), DecodeError, 'two extra characters (impossible length)');
        assertThrows(() => parseFingerprint(full + 'b'), DecodeError, 'extra character with non-zero trailing bit');
        assertThrows(() => parseFingerprint(full.replace(' ', '\t')), DecodeError, 'tab');
        assertThrows(() => formatFingerprint(new Uint8Array(19)), UsageError, 'format of 152 bits');
      },
    },
    {
      name: 'formatDigits (5 bytes → 5 digits per group) and shortAuthCode (6 digits)',
      run() {
        const bytes = fromHex(EXPECTED);
        assertEqual(formatDigits(bytes, 6), '34842 84105 78739 84585 67119 84558', 'six groups');
        assertEqual(formatDigits(bytes, 1), '34842', 'one group');
        assertEqual(formatDigits(new Uint8Array(5), 1), '00000', 'leading zeros kept');
        assertEqual(shortAuthCode(bytes), '734842', 'SAS');
        assertEqual(shortAuthCode(new Uint8Array(5)), '000000', 'SAS leading zeros');
        assertThrows(() => formatDigits(bytes, 7), UsageError, 'not enough bytes for 7 groups');
        assertThrows(() => formatDigits(bytes, 0), UsageError, 'zero groups');
        assertThrows(() => shortAuthCode(new Uint8Array(4)), UsageError, 'SAS from 4 bytes');
      },
    },
  ],
};
