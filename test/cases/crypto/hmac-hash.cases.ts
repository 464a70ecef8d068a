// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104; Wycheproof HMACSHA256) through shared/crypto.
// Wycheproof groups with a 256-bit tag run fully: valid → same tag and verify true, invalid → false.
// Groups with a 128-bit (truncated) tag: the wrappers accept only full 32-byte tags, so every such
// tag must be refused by hmacSha256Verify; for the valid ones the tag must equal the prefix.
import { InvalidKeyError } from '../../../shared/errors/index.js';
import { hmacSha256, hmacSha256Verify, sha256, utf8Encode } from '../../../shared/crypto/index.js';
import wycheproof from '../../vectors/wycheproof/hmac_sha256_test.json';
import { assertBytes, assertEqual, assertRejects, fromHex } from '../assert.js';
import type { PortableCase, PortableSuite } from '../portable-case.js';
import { chunk } from './chunk.js';

interface MacVector {
  readonly tcId: number;
  readonly tagSize: number;
  readonly key: string;
  readonly msg: string;
  readonly tag: string;
  readonly result: string;
}

const vectors: readonly MacVector[] = wycheproof.testGroups.flatMap((g) =>
  g.tests.map((t) => ({ ...t, tagSize: g.tagSize })),
);
const EXPECTED_COUNT = 174;

async function check(v: MacVector): Promise<void> {
  const key = fromHex(v.key);
  const msg = fromHex(v.msg);
  const tag = fromHex(v.tag);
  const what = `tcId ${v.tcId} (${v.tagSize}-bit tag, ${v.result})`;
  if (v.tagSize === 256) {
    if (v.result === 'valid') assertBytes(await hmacSha256(key, msg), tag, what);
    assertEqual(await hmacSha256Verify(key, msg, tag), v.result === 'valid', what);
    return;
  }
  assertEqual(await hmacSha256Verify(key, msg, tag), false, `${what}: truncated tags are never accepted`);
  const prefix = (await hmacSha256(key, msg)).subarray(0, tag.length);
  assertEqual(
    prefix.every((b, i) => b === tag[i]),
    v.result === 'valid',
    `${what}: prefix`,
  );
}

const batches: PortableCase[] = chunk(vectors, 50).map((batch) => ({
  name: `hmac wycheproof tcId ${batch[0]?.tcId ?? '?'}..${batch[batch.length - 1]?.tcId ?? '?'} (${batch.length} vectors)`,
  async run() {
    for (const v of batch) await check(v);
  },
}));

export const hmacHashSuite: PortableSuite = {
  name: 'crypto/sha256 + hmac',
  cases: [
    {
      name: 'SHA-256 of "abc" and of the empty string (FIPS 180-4 examples)',
      async run() {
        assertBytes(
          await sha256(utf8Encode('abc')),
          fromHex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
          'abc',
        );
        assertBytes(
          await sha256(new Uint8Array(0)),
          fromHex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
          'empty',
        );
        const big = new Uint8Array(64).fill(0x61);
        big.set(utf8Encode('abc'), 10);
        assertBytes(await sha256(big.subarray(10, 13)), await sha256(utf8Encode('abc')), 'subarray input');
      },
    },
    {
      name: 'hmacSha256Verify: a wrong-length mac is false; an empty key is InvalidKeyError',
      async run() {
        const key = new Uint8Array(32).fill(7);
        const mac = await hmacSha256(key, utf8Encode('x'));
        assertEqual(await hmacSha256Verify(key, utf8Encode('x'), mac), true, 'correct');
        assertEqual(await hmacSha256Verify(key, utf8Encode('x'), mac.subarray(0, 31)), false, '31 bytes');
        assertEqual(await hmacSha256Verify(key, utf8Encode('x'), new Uint8Array(0)), false, 'empty mac');
        await assertRejects(() => hmacSha256(new Uint8Array(0), utf8Encode('x')), InvalidKeyError, 'empty key');
      },
    },
    {
      name: `hmac wycheproof: ${EXPECTED_COUNT} vectors loaded and checked (both tag sizes)`,
      run() {
        assertEqual(wycheproof.numberOfTests, EXPECTED_COUNT, 'numberOfTests');
        assertEqual(vectors.length, EXPECTED_COUNT, 'vectors loaded');
        assertEqual(vectors.filter((v) => v.tagSize === 256).length, 87, 'full-tag vectors');
        assertEqual(batches.length, 4, 'batches');
      },
    },
    ...batches,
  ],
};
