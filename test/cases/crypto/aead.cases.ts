// AES-256-GCM (NIST SP 800-38D; Wycheproof AES-GCM) through shared/crypto/aead.ts.
// Groups run through encrypt and decrypt: keySize 256, ivSize 96, tagSize 128 (the only parameters
// the wrappers accept). Every other Wycheproof group (128/192-bit keys, IVs of 0..2056 bits) is not
// skipped silently: each of its vectors must be *refused* with InvalidKeyError, because the wrappers
// fix the key to 256 bits and the IV to 96 bits (SP 800-38D §8.2).
import { DecryptError, InvalidKeyError } from '../../../shared/errors/index.js';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  concatBytes,
  importAesGcmKey,
  secureRandom,
  utf8Encode,
} from '../../../shared/crypto/index.js';
import wycheproof from '../../vectors/wycheproof/aes_gcm_test.json';
import { assertBytes, assertEqual, assertRejects, assertTrue, fromHex } from '../assert.js';
import type { PortableCase, PortableSuite } from '../portable-case.js';
import { chunk } from './chunk.js';

interface AeadVector {
  readonly tcId: number;
  readonly keySize: number;
  readonly ivSize: number;
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
  readonly result: string;
}

const all: readonly AeadVector[] = wycheproof.testGroups.flatMap((g) =>
  g.tests.map((t) => ({ ...t, keySize: g.keySize, ivSize: g.ivSize })),
);
const supported = all.filter((v) => v.keySize === 256 && v.ivSize === 96);
const refused = all.filter((v) => !(v.keySize === 256 && v.ivSize === 96));
const EXPECTED_COUNT = 316;
const EXPECTED_SUPPORTED = 66;

async function checkSupported(v: AeadVector): Promise<void> {
  const key = fromHex(v.key);
  const iv = fromHex(v.iv);
  const aad = fromHex(v.aad);
  const sealed = concatBytes(fromHex(v.ct), fromHex(v.tag));
  const what = `tcId ${v.tcId} (${v.result})`;
  if (v.result === 'valid') {
    assertBytes(await aesGcmEncrypt(key, iv, fromHex(v.msg), aad), sealed, `${what} encrypt`);
    assertBytes(await aesGcmDecrypt(key, iv, sealed, aad), fromHex(v.msg), `${what} decrypt`);
  } else {
    await assertRejects(() => aesGcmDecrypt(key, iv, sealed, aad), DecryptError, what);
  }
}

async function checkRefused(v: AeadVector): Promise<void> {
  const what = `tcId ${v.tcId} (key ${v.keySize} bits, IV ${v.ivSize} bits)`;
  const sealed = concatBytes(fromHex(v.ct), fromHex(v.tag));
  await assertRejects(
    () => aesGcmDecrypt(fromHex(v.key), fromHex(v.iv), sealed, fromHex(v.aad)),
    InvalidKeyError,
    `${what} decrypt`,
  );
  await assertRejects(
    () => aesGcmEncrypt(fromHex(v.key), fromHex(v.iv), fromHex(v.msg), fromHex(v.aad)),
    InvalidKeyError,
    `${what} encrypt`,
  );
}

const supportedBatches: PortableCase[] = chunk(supported, 50).map((batch) => ({
  name: `wycheproof 256-bit key / 96-bit IV / 128-bit tag: ${batch.length} vectors from tcId ${batch[0]?.tcId ?? '?'}`,
  async run() {
    for (const v of batch) await checkSupported(v);
  },
}));

const refusedBatches: PortableCase[] = chunk(refused, 125).map((batch) => ({
  name: `wycheproof other key/IV sizes refused with InvalidKeyError: ${batch.length} vectors from tcId ${batch[0]?.tcId ?? '?'}`,
  async run() {
    for (const v of batch) await checkRefused(v);
  },
}));

export const aeadSuite: PortableSuite = {
  name: 'crypto/aes-256-gcm',
  cases: [
    {
      name: 'round trip with raw key and with an imported non-extractable CryptoKey; output is ct || 16-byte tag',
      async run() {
        const raw = secureRandom(32);
        const key = await importAesGcmKey(raw);
        assertEqual(key.extractable, false, 'imported key extractable');
        const iv = secureRandom(12);
        const plaintext = utf8Encode('hello, encrypted world');
        const aad = utf8Encode('header');
        const sealed = await aesGcmEncrypt(raw, iv, plaintext, aad);
        assertEqual(sealed.length, plaintext.length + 16, 'sealed length');
        assertBytes(await aesGcmDecrypt(key, iv, sealed, aad), plaintext, 'decrypt with CryptoKey');
        assertBytes(await aesGcmEncrypt(key, iv, plaintext, aad), sealed, 'same output with CryptoKey');
        assertBytes(
          await aesGcmDecrypt(raw, iv, await aesGcmEncrypt(raw, iv, new Uint8Array(0), aad), aad),
          new Uint8Array(0),
          'empty plaintext',
        );
      },
    },
    {
      name: 'truncated or missing tag, wrong AAD, wrong key, wrong IV are DecryptError',
      async run() {
        const raw = secureRandom(32);
        const iv = secureRandom(12);
        const aad = utf8Encode('aad');
        const sealed = await aesGcmEncrypt(raw, iv, utf8Encode('secret'), aad);
        await assertRejects(
          () => aesGcmDecrypt(raw, iv, sealed.subarray(0, sealed.length - 1), aad),
          DecryptError,
          'tag cut by 1 byte',
        );
        await assertRejects(
          () => aesGcmDecrypt(raw, iv, sealed.subarray(0, 15), aad),
          DecryptError,
          '15 bytes (shorter than a tag)',
        );
        await assertRejects(() => aesGcmDecrypt(raw, iv, new Uint8Array(0), aad), DecryptError, 'empty input');
        await assertRejects(() => aesGcmDecrypt(raw, iv, sealed, utf8Encode('aaD')), DecryptError, 'other AAD');
        await assertRejects(() => aesGcmDecrypt(secureRandom(32), iv, sealed, aad), DecryptError, 'other key');
        await assertRejects(() => aesGcmDecrypt(raw, secureRandom(12), sealed, aad), DecryptError, 'other IV');
      },
    },
    {
      name: 'wrong key or IV lengths and non-AES-256-GCM CryptoKeys are InvalidKeyError',
      async run() {
        const iv = new Uint8Array(12);
        const none = new Uint8Array(0);
        for (const n of [0, 16, 24, 31, 33]) {
          await assertRejects(() => importAesGcmKey(new Uint8Array(n)), InvalidKeyError, `import ${n}-byte key`);
          await assertRejects(
            () => aesGcmEncrypt(new Uint8Array(n), iv, none, none),
            InvalidKeyError,
            `encrypt ${n}-byte key`,
          );
        }
        for (const n of [0, 8, 11, 13, 16]) {
          await assertRejects(
            () => aesGcmEncrypt(new Uint8Array(32), new Uint8Array(n), none, none),
            InvalidKeyError,
            `${n}-byte IV`,
          );
          await assertRejects(
            () => aesGcmDecrypt(new Uint8Array(32), new Uint8Array(n), new Uint8Array(16), none),
            InvalidKeyError,
            `decrypt ${n}-byte IV`,
          );
        }
        const aes128 = await globalThis.crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, [
          'encrypt',
          'decrypt',
        ]);
        await assertRejects(() => aesGcmEncrypt(aes128, iv, none, none), InvalidKeyError, 'AES-128 CryptoKey');
        const hmac = await globalThis.crypto.subtle.importKey(
          'raw',
          new Uint8Array(32),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign'],
        );
        await assertRejects(() => aesGcmDecrypt(hmac, iv, new Uint8Array(16), none), InvalidKeyError, 'HMAC CryptoKey');
        const encryptOnly = await globalThis.crypto.subtle.importKey('raw', new Uint8Array(32), 'AES-GCM', false, [
          'encrypt',
        ]);
        const sealed = await aesGcmEncrypt(encryptOnly, iv, none, none);
        await assertRejects(
          () => aesGcmDecrypt(encryptOnly, iv, sealed, none),
          InvalidKeyError,
          'key without the decrypt usage',
        );
      },
    },
    {
      name: 'inputs that are views into larger buffers are read exactly',
      async run() {
        const backing = secureRandom(200);
        const key = backing.subarray(10, 42);
        const iv = backing.subarray(50, 62);
        const msg = backing.subarray(70, 100);
        const aad = backing.subarray(120, 130);
        const sealed = await aesGcmEncrypt(key, iv, msg, aad);
        assertBytes(
          sealed,
          await aesGcmEncrypt(key.slice(), iv.slice(), msg.slice(), aad.slice()),
          'same as exact copies',
        );
        const framed = concatBytes(new Uint8Array(5), sealed, new Uint8Array(5));
        assertBytes(await aesGcmDecrypt(key, iv, framed.subarray(5, 5 + sealed.length), aad), msg, 'ciphertext view');
      },
    },
    {
      name: `wycheproof: ${EXPECTED_COUNT} vectors loaded; ${EXPECTED_SUPPORTED} run, the rest must be refused`,
      run() {
        assertEqual(wycheproof.numberOfTests, EXPECTED_COUNT, 'numberOfTests');
        assertEqual(all.length, EXPECTED_COUNT, 'vectors loaded');
        assertEqual(supported.length, EXPECTED_SUPPORTED, '256/96/128 vectors');
        assertTrue(
          supported.some((v) => v.result === 'invalid'),
          'invalid vectors present',
        );
        assertTrue(
          all.every((v) => v.tag.length === 32),
          'all tags are 128-bit',
        );
      },
    },
    ...supportedBatches,
    ...refusedBatches,
  ],
};
