// Property tests (fast-check, Node only) for shared/crypto: AEAD round trips and tamper detection,
// codec round trips, fingerprint round trips, decoders that only ever throw DecodeError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, DecryptError } from '../../shared/errors/index.js';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  formatFingerprint,
  fromBase32,
  fromBase64Url,
  fromHex,
  importAesGcmKey,
  parseFingerprint,
  toBase32,
  toBase64Url,
  toHex,
} from '../../shared/crypto/index.js';

const RUNS = 1000;
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const iv12 = fc.uint8Array({ minLength: 12, maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 96 });

function flipBit(data: Uint8Array, bit: number): Uint8Array {
  const out = data.slice();
  const i = bit >> 3;
  out[i] = (out[i] ?? 0) ^ (1 << (bit & 7));
  return out;
}

describe('AES-256-GCM properties', () => {
  it('decrypt(encrypt(p)) === p for any key, IV, plaintext and AAD', async () => {
    await fc.assert(
      fc.asyncProperty(key32, iv12, bytes, bytes, async (key, iv, plaintext, aad) => {
        const sealed = await aesGcmEncrypt(key, iv, plaintext, aad);
        expect(sealed.length).toBe(plaintext.length + 16);
        expect(await aesGcmDecrypt(key, iv, sealed, aad)).toEqual(plaintext);
      }),
      { numRuns: RUNS },
    );
  });

  it('a single flipped bit anywhere in ciphertext+tag, or in the AAD, is DecryptError', async () => {
    const cryptoKey = await importAesGcmKey(new Uint8Array(32).fill(0x42));
    await fc.assert(
      fc.asyncProperty(
        iv12,
        bytes,
        fc.uint8Array({ minLength: 1, maxLength: 48 }),
        fc.nat(),
        fc.boolean(),
        async (iv, plaintext, aad, bitSeed, inAad) => {
          const sealed = await aesGcmEncrypt(cryptoKey, iv, plaintext, aad);
          const tampered = inAad
            ? aesGcmDecrypt(cryptoKey, iv, sealed, flipBit(aad, bitSeed % (aad.length * 8)))
            : aesGcmDecrypt(cryptoKey, iv, flipBit(sealed, bitSeed % (sealed.length * 8)), aad);
          await expect(tampered).rejects.toBeInstanceOf(DecryptError);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('exhaustively: every one of the bits of a small sealed message and its AAD', async () => {
    const key = new Uint8Array(32).fill(7);
    const iv = new Uint8Array(12).fill(1);
    const aad = new Uint8Array([1, 2, 3, 4]);
    const sealed = await aesGcmEncrypt(key, iv, new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]), aad);
    let checked = 0;
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      await expect(aesGcmDecrypt(key, iv, flipBit(sealed, bit), aad)).rejects.toBeInstanceOf(DecryptError);
      checked++;
    }
    for (let bit = 0; bit < aad.length * 8; bit++) {
      await expect(aesGcmDecrypt(key, iv, sealed, flipBit(aad, bit))).rejects.toBeInstanceOf(DecryptError);
      checked++;
    }
    expect(checked).toBe((24 + 4) * 8);
  });
});

describe('codec properties', () => {
  const anyBytes = fc.uint8Array({ maxLength: 200 });

  it('hex round trip', () => {
    fc.assert(
      fc.property(anyBytes, (b) => {
        expect(fromHex(toHex(b))).toEqual(b);
      }),
      { numRuns: RUNS },
    );
  });

  it('base64url round trip, output only uses the url alphabet', () => {
    fc.assert(
      fc.property(anyBytes, (b) => {
        const text = toBase64Url(b);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(b);
      }),
      { numRuns: RUNS },
    );
  });

  it('base32 round trip, output lowercase RFC 4648 alphabet', () => {
    fc.assert(
      fc.property(anyBytes, (b) => {
        const text = toBase32(b);
        expect(text).toMatch(/^[a-z2-7]*$/);
        expect(fromBase32(text)).toEqual(b);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseFingerprint(formatFingerprint(x)) equals x for 20..64 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 64 }), (b) => {
        const text = formatFingerprint(b);
        expect(text).toMatch(/^[a-z2-7]{1,4}( [a-z2-7]{1,4})*$/);
        expect(parseFingerprint(text)).toEqual(b);
        expect(parseFingerprint(text.toUpperCase())).toEqual(b);
      }),
      { numRuns: RUNS },
    );
  });

  it('decoders given arbitrary strings either succeed canonically or throw DecodeError, nothing else', () => {
    // [decode, encode, does the decoder ignore case]
    const decoders: readonly [(text: string) => Uint8Array, (b: Uint8Array) => string, boolean][] = [
      [fromHex, toHex, true],
      [fromBase64Url, toBase64Url, false],
      [fromBase32, toBase32, true],
    ];
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[a-zA-Z0-9_=+/ -]{0,40}$/));
    fc.assert(
      fc.property(text, (text) => {
        for (const [decode, encode, ignoresCase] of decoders) {
          try {
            const decoded = decode(text);
            expect(encode(decoded)).toBe(ignoresCase ? text.toLowerCase() : text);
          } catch (error) {
            expect(error).toBeInstanceOf(DecodeError);
          }
        }
        try {
          parseFingerprint(text);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
