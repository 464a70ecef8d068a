// X25519 (RFC 7748 §5.2, §6.1) through shared/crypto/x25519.ts, plus length and low-order edges.
import { InvalidKeyError } from '../../../shared/errors/index.js';
import { generateX25519KeyPair, x25519, x25519KeyPairFromSeed } from '../../../shared/crypto/index.js';
import rfc7748 from '../../vectors/rfc7748-x25519.json';
import { assertBytes, assertEqual, assertRejects, assertTrue, fromHex } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

async function scalarMult(scalar: Uint8Array, u: Uint8Array): Promise<Uint8Array> {
  const { privateKey } = await x25519KeyPairFromSeed(scalar);
  return x25519(privateKey, u);
}

export const x25519Suite: PortableSuite = {
  name: 'crypto/x25519',
  cases: [
    {
      name: 'RFC 7748 §5.2 scalar-multiplication vectors',
      async run() {
        assertEqual(rfc7748.scalarMult.length, 2, 'vector count');
        for (const v of rfc7748.scalarMult) {
          assertBytes(await scalarMult(fromHex(v.scalar), fromHex(v.uCoordinate)), fromHex(v.output), v.section);
        }
      },
    },
    {
      name: 'RFC 7748 §5.2 iterated: after 1 and 1000 rounds',
      async run() {
        let k: Uint8Array = new Uint8Array(32);
        k[0] = 9;
        let u: Uint8Array = k.slice();
        for (let round = 1; round <= 1000; round++) {
          const r = await scalarMult(k, u);
          u = k;
          k = r;
          if (round === 1) assertBytes(k, fromHex(rfc7748.iterated.after1), 'after 1 iteration');
        }
        assertBytes(k, fromHex(rfc7748.iterated.after1000), 'after 1000 iterations');
      },
    },
    {
      name: 'RFC 7748 §6.1 Alice and Bob: public keys from seeds and the shared secret both ways',
      async run() {
        const dh = rfc7748.diffieHellman;
        const alice = await x25519KeyPairFromSeed(fromHex(dh.alicePrivate));
        const bob = await x25519KeyPairFromSeed(fromHex(dh.bobPrivate));
        assertBytes(alice.publicKey, fromHex(dh.alicePublic), 'Alice public key');
        assertBytes(bob.publicKey, fromHex(dh.bobPublic), 'Bob public key');
        assertBytes(await x25519(alice.privateKey, bob.publicKey), fromHex(dh.sharedSecret), 'Alice side');
        assertBytes(await x25519(bob.privateKey, alice.publicKey), fromHex(dh.sharedSecret), 'Bob side');
      },
    },
    {
      name: 'generated key pairs agree, and their private keys are not extractable',
      async run() {
        const a = await generateX25519KeyPair();
        const b = await generateX25519KeyPair();
        assertEqual(a.publicKey.length, 32, 'public key length');
        assertEqual(a.privateKey.extractable, false, 'generated key extractable');
        const fromSeed = await x25519KeyPairFromSeed(new Uint8Array(32).fill(3));
        assertEqual(fromSeed.privateKey.extractable, false, 'seeded key extractable');
        const ab = await x25519(a.privateKey, b.publicKey);
        const ba = await x25519(b.privateKey, a.publicKey);
        assertBytes(ab, ba, 'shared secrets');
        const other = await generateX25519KeyPair();
        assertTrue(
          !(await x25519(a.privateKey, other.publicKey)).every((x, i) => x === ab[i]),
          'distinct peers give distinct secrets',
        );
      },
    },
    {
      name: 'wrong lengths are InvalidKeyError (seed 31/33, public 31/33/0)',
      async run() {
        const { privateKey } = await generateX25519KeyPair();
        await assertRejects(() => x25519KeyPairFromSeed(new Uint8Array(31)), InvalidKeyError, 'seed 31');
        await assertRejects(() => x25519KeyPairFromSeed(new Uint8Array(33)), InvalidKeyError, 'seed 33');
        for (const n of [0, 31, 33, 64]) {
          await assertRejects(
            () => x25519(privateKey, new Uint8Array(n).fill(9)),
            InvalidKeyError,
            `public key of ${n} bytes`,
          );
        }
      },
    },
    {
      name: 'RFC 7748 §6.1: low-order points (0, 1, order-8 point) give InvalidKeyError, never zeros',
      async run() {
        const { privateKey } = await generateX25519KeyPair();
        const lowOrder = [
          new Uint8Array(32), // u = 0
          fromHex('0100000000000000000000000000000000000000000000000000000000000000'), // u = 1
          fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'), // order 8
          fromHex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), // p - 1
        ];
        for (const [i, point] of lowOrder.entries()) {
          await assertRejects(() => x25519(privateKey, point), InvalidKeyError, `low-order point ${i}`);
        }
      },
    },
    {
      name: 'a non-X25519 key is InvalidKeyError; a view into a larger buffer is read exactly',
      async run() {
        const { privateKey } = await generateX25519KeyPair();
        const peer = await generateX25519KeyPair();
        const big = new Uint8Array(96).fill(0xaa);
        big.set(peer.publicKey, 32);
        const view = big.subarray(32, 64);
        assertBytes(await x25519(privateKey, view), await x25519(privateKey, peer.publicKey), 'subarray input');
        const hmacKey = await globalThis.crypto.subtle.importKey(
          'raw',
          new Uint8Array(32),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign'],
        );
        await assertRejects(() => x25519(hmacKey, peer.publicKey), InvalidKeyError, 'HMAC key as X25519 key');
      },
    },
  ],
};
