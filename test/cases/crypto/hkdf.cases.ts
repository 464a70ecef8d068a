// HKDF-SHA-256 (RFC 5869 Appendix A.1-A.3; Wycheproof HKDF-SHA-256) through shared/crypto/hkdf.ts.
// Wycheproof "invalid" vectors here are all SizeTooLarge (L = 8161 > 255*32): they must be refused.
import { UsageError } from '../../../shared/errors/index.js';
import { hkdfSha256, HKDF_SHA256_MAX_BYTES } from '../../../shared/crypto/index.js';
import rfc5869 from '../../vectors/rfc5869-hkdf.json';
import wycheproof from '../../vectors/wycheproof/hkdf_sha256_test.json';
import { assertBytes, assertEqual, assertRejects, fromHex } from '../assert.js';
import type { PortableCase, PortableSuite } from '../portable-case.js';
import { chunk } from './chunk.js';

interface HkdfVector {
  readonly tcId: number;
  readonly ikm: string;
  readonly salt: string;
  readonly info: string;
  readonly size: number;
  readonly okm: string;
  readonly result: string;
}

const vectors: readonly HkdfVector[] = wycheproof.testGroups.flatMap((g) => g.tests);
const EXPECTED_COUNT = 86;

const batches: PortableCase[] = chunk(vectors, 45).map((batch) => ({
  name: `wycheproof tcId ${batch[0]?.tcId ?? '?'}..${batch[batch.length - 1]?.tcId ?? '?'} (${batch.length} vectors)`,
  async run() {
    for (const v of batch) {
      const run = (): Promise<Uint8Array> => hkdfSha256(fromHex(v.ikm), fromHex(v.salt), fromHex(v.info), v.size);
      if (v.result === 'valid') assertBytes(await run(), fromHex(v.okm), `tcId ${v.tcId}`);
      else await assertRejects(run, UsageError, `tcId ${v.tcId} (size ${v.size})`);
    }
  },
}));

export const hkdfSuite: PortableSuite = {
  name: 'crypto/hkdf',
  cases: [
    {
      name: 'RFC 5869 A.1-A.3',
      async run() {
        assertEqual(rfc5869.tests.length, 3, 'vector count');
        for (const v of rfc5869.tests) {
          assertBytes(
            await hkdfSha256(fromHex(v.ikm), fromHex(v.salt), fromHex(v.info), v.length),
            fromHex(v.okm),
            v.name,
          );
        }
      },
    },
    {
      name: 'output lengths 0, 8161 and non-integers are refused; 8160 works',
      async run() {
        const ikm = new Uint8Array(32).fill(1);
        const empty = new Uint8Array(0);
        for (const n of [0, -1, 1.5, HKDF_SHA256_MAX_BYTES + 1, Number.NaN]) {
          await assertRejects(() => hkdfSha256(ikm, empty, empty, n), UsageError, `length ${n}`);
        }
        assertEqual(
          (await hkdfSha256(ikm, empty, empty, HKDF_SHA256_MAX_BYTES)).length,
          HKDF_SHA256_MAX_BYTES,
          'maximum length',
        );
      },
    },
    {
      name: `wycheproof: ${EXPECTED_COUNT} vectors loaded and checked`,
      run() {
        assertEqual(wycheproof.numberOfTests, EXPECTED_COUNT, 'numberOfTests');
        assertEqual(vectors.length, EXPECTED_COUNT, 'vectors loaded');
        assertEqual(vectors.filter((v) => v.result === 'invalid').length, 3, 'invalid vectors');
        assertEqual(batches.length, 2, 'batches');
      },
    },
    ...batches,
  ],
};
