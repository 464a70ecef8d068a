// Ed25519 (RFC 8032 §7.1 vectors; Wycheproof EdDSA verify) through shared/crypto/ed25519.ts.
// Signature bytes are compared only for the RFC vectors (Node and Chromium sign deterministically);
// every check also verifies, because some engines (Safari) randomise signatures.
import { InvalidKeyError } from '../../../shared/errors/index.js';
import {
  ed25519KeyPairFromSeed,
  ed25519Sign,
  ed25519Verify,
  generateEd25519KeyPair,
  utf8Encode,
} from '../../../shared/crypto/index.js';
import rfc8032 from '../../vectors/rfc8032-ed25519.json';
import wycheproof from '../../vectors/wycheproof/ed25519_test.json';
import { AssertionFailure, assertBytes, assertEqual, assertRejects, assertTrue, fromHex } from '../assert.js';
import type { PortableCase, PortableSuite } from '../portable-case.js';
import { chunk } from './chunk.js';

interface VerifyVector {
  readonly tcId: number;
  readonly publicKey: Uint8Array;
  readonly msg: string;
  readonly sig: string;
  readonly result: string;
}

// SubjectPublicKeyInfo for Ed25519 (RFC 8410 §4): a 12-byte prefix, then the 32-byte key.
const SPKI_PREFIX = '302a300506032b6570032100';
const vectors: readonly VerifyVector[] = wycheproof.testGroups.flatMap((g) => {
  if (!g.publicKeyDer.startsWith(SPKI_PREFIX))
    throw new AssertionFailure('unexpected SPKI prefix in the Wycheproof file');
  const publicKey = fromHex(g.publicKeyDer.slice(SPKI_PREFIX.length));
  return g.tests.map((t) => ({ tcId: t.tcId, publicKey, msg: t.msg, sig: t.sig, result: t.result }));
});
const EXPECTED_COUNT = 151;

const wycheproofBatches: PortableCase[] = chunk(vectors, 50).map((batch) => ({
  name: `wycheproof tcId ${batch[0]?.tcId ?? '?'}..${batch[batch.length - 1]?.tcId ?? '?'} (${batch.length} vectors: valid → true, invalid → false, no throw)`,
  async run() {
    for (const v of batch) {
      const ok = await ed25519Verify(v.publicKey, fromHex(v.msg), fromHex(v.sig));
      assertEqual(ok, v.result === 'valid', `tcId ${v.tcId} (${v.result})`);
    }
  },
}));

export const ed25519Suite: PortableSuite = {
  name: 'crypto/ed25519',
  cases: [
    {
      name: 'RFC 8032 §7.1 TEST 1, 2, 3, 1024, SHA(abc): public key, signature bytes, verify',
      async run() {
        assertEqual(rfc8032.tests.length, 5, 'vector count');
        for (const v of rfc8032.tests) {
          const pair = await ed25519KeyPairFromSeed(fromHex(v.secretKey));
          assertBytes(pair.publicKey, fromHex(v.publicKey), `${v.name} public key`);
          assertEqual(pair.privateKey.extractable, false, `${v.name} private key extractable`);
          const message = fromHex(v.message);
          const signature = await ed25519Sign(pair.privateKey, message);
          assertTrue(await ed25519Verify(pair.publicKey, message, signature), `${v.name}: own signature verifies`);
          assertBytes(signature, fromHex(v.signature), `${v.name} signature (deterministic engines)`);
          assertTrue(
            await ed25519Verify(fromHex(v.publicKey), message, fromHex(v.signature)),
            `${v.name}: RFC signature verifies`,
          );
        }
        assertEqual(fromHex(rfc8032.tests[3]?.message ?? '').length, 1023, 'TEST 1024 message length');
      },
    },
    {
      name: 'generated keys sign and verify; tampering with message, signature or key gives false',
      async run() {
        const pair = await generateEd25519KeyPair();
        const other = await generateEd25519KeyPair();
        assertEqual(pair.privateKey.extractable, false, 'generated key extractable');
        const message = utf8Encode('refund approved');
        const signature = await ed25519Sign(pair.privateKey, message);
        assertEqual(signature.length, 64, 'signature length');
        assertTrue(await ed25519Verify(pair.publicKey, message, signature), 'verifies');
        assertTrue(!(await ed25519Verify(pair.publicKey, utf8Encode('refund approved!'), signature)), 'other message');
        assertTrue(!(await ed25519Verify(other.publicKey, message, signature)), 'other key');
        const flipped = signature.slice();
        flipped[10] = (flipped[10] ?? 0) ^ 1;
        assertTrue(!(await ed25519Verify(pair.publicKey, message, flipped)), 'flipped signature bit');
      },
    },
    {
      name: 'malformed keys and signatures return false, never throw (63-byte signature, 31-byte key, ...)',
      async run() {
        const pair = await generateEd25519KeyPair();
        const message = utf8Encode('m');
        const signature = await ed25519Sign(pair.privateKey, message);
        assertEqual(
          await ed25519Verify(pair.publicKey, message, signature.subarray(0, 63)),
          false,
          '63-byte signature',
        );
        assertEqual(
          await ed25519Verify(pair.publicKey, message, new Uint8Array([...signature, 0])),
          false,
          '65-byte signature',
        );
        assertEqual(await ed25519Verify(pair.publicKey.subarray(0, 31), message, signature), false, '31-byte key');
        assertEqual(await ed25519Verify(new Uint8Array(0), message, signature), false, 'empty key');
        assertEqual(
          await ed25519Verify(new Uint8Array(32).fill(0xff), message, signature),
          false,
          'key that is not a point',
        );
        assertEqual(await ed25519Verify(pair.publicKey, message, new Uint8Array(64)), false, 'all-zero signature');
      },
    },
    {
      name: 'wrong-length seeds and non-Ed25519 keys are InvalidKeyError',
      async run() {
        await assertRejects(() => ed25519KeyPairFromSeed(new Uint8Array(31)), InvalidKeyError, 'seed 31');
        await assertRejects(() => ed25519KeyPairFromSeed(new Uint8Array(64)), InvalidKeyError, 'seed 64');
        const hmacKey = await globalThis.crypto.subtle.importKey(
          'raw',
          new Uint8Array(32),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign'],
        );
        await assertRejects(() => ed25519Sign(hmacKey, new Uint8Array(1)), InvalidKeyError, 'HMAC key');
      },
    },
    {
      name: `wycheproof: ${EXPECTED_COUNT} vectors loaded and checked`,
      run() {
        assertEqual(wycheproof.numberOfTests, EXPECTED_COUNT, 'numberOfTests');
        assertEqual(vectors.length, EXPECTED_COUNT, 'vectors loaded');
        assertTrue(
          vectors.some((v) => v.result === 'valid') && vectors.some((v) => v.result === 'invalid'),
          'both results present',
        );
        assertEqual(wycheproofBatches.length, 4, 'batches');
      },
    },
    ...wycheproofBatches,
  ],
};
