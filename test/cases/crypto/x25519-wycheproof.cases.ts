// Wycheproof XDH curve25519 vectors through shared/crypto/x25519.ts. Mapping of results:
// - an expected all-zero shared secret (flag ZeroSharedSecret: low-order public keys, "acceptable")
//   must be refused with InvalidKeyError (RFC 7748 §6.1), in every engine;
// - every other vector ("valid", and "acceptable" twist / non-canonical public keys) must give
//   exactly the expected shared secret (RFC 7748 §5: non-canonical u is reduced, the top bit masked).
import { InvalidKeyError } from '../../../shared/errors/index.js';
import { x25519, x25519KeyPairFromSeed } from '../../../shared/crypto/index.js';
import wycheproof from '../../vectors/wycheproof/x25519_test.json';
import { assertBytes, assertEqual, assertRejects, fromHex } from '../assert.js';
import type { PortableCase, PortableSuite } from '../portable-case.js';
import { chunk } from './chunk.js';

interface XdhVector {
  readonly tcId: number;
  readonly public: string;
  readonly private: string;
  readonly shared: string;
  readonly result: string;
  readonly flags: readonly string[];
}

const vectors: readonly XdhVector[] = wycheproof.testGroups.flatMap((g) => g.tests);
const EXPECTED_COUNT = 518;
const BATCH = 50;

async function check(v: XdhVector): Promise<void> {
  const { privateKey } = await x25519KeyPairFromSeed(fromHex(v.private));
  const publicKey = fromHex(v.public);
  if (/^(00)+$/.test(v.shared)) {
    await assertRejects(() => x25519(privateKey, publicKey), InvalidKeyError, `tcId ${v.tcId} (${v.flags.join(',')})`);
    return;
  }
  assertBytes(await x25519(privateKey, publicKey), fromHex(v.shared), `tcId ${v.tcId} (${v.result})`);
}

const batches: PortableCase[] = chunk(vectors, BATCH).map((batch) => ({
  name: `tcId ${batch[0]?.tcId ?? '?'}..${batch[batch.length - 1]?.tcId ?? '?'} (${batch.length} vectors)`,
  async run() {
    for (const v of batch) await check(v);
  },
}));

export const x25519WycheproofSuite: PortableSuite = {
  name: 'crypto/x25519 wycheproof',
  cases: [
    {
      name: `file holds ${EXPECTED_COUNT} vectors, ${EXPECTED_COUNT} are checked, with zero-shared-secret ones among them`,
      run() {
        assertEqual(wycheproof.numberOfTests, EXPECTED_COUNT, 'numberOfTests');
        assertEqual(vectors.length, EXPECTED_COUNT, 'vectors loaded');
        assertEqual(batches.length, Math.ceil(EXPECTED_COUNT / BATCH), 'batches');
        assertEqual(vectors.filter((v) => /^(00)+$/.test(v.shared)).length, 31, 'zero-shared-secret vectors');
      },
    },
    ...batches,
  ],
};
