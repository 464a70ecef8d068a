// The performance paths of shared/crypto give exactly what the plain paths give: hmacSha256Many
// equals one hmacSha256 per message (RFC 2104), and the bounded public-key cache
// (public-key-cache.ts) never changes an X25519 (RFC 7748 §5, §6.1) or Ed25519 (RFC 8032 §5.1.7)
// result: a repeated, evicted or rejected key behaves as on first use.
import { InvalidKeyError } from '../../../shared/errors/index.js';
import {
  ed25519Sign,
  ed25519Verify,
  generateEd25519KeyPair,
  generateX25519KeyPair,
  hmacSha256,
  hmacSha256Many,
  utf8Encode,
  x25519,
} from '../../../shared/crypto/index.js';
import { cachedPublicKey, PUBLIC_KEY_CACHE_SIZE } from '../../../shared/crypto/public-key-cache.js';
import { assertBytes, assertEqual, assertRejects, assertTrue, fromHex } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

function random(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

export const keyReuseSuite: PortableSuite = {
  name: 'crypto: key reuse paths',
  cases: [
    {
      name: 'hmacSha256Many gives, in order, the tags of one hmacSha256 call per message',
      async run() {
        for (const keyLength of [1, 32, 64, 65, 200]) {
          const key = random(keyLength);
          const messages = [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array(0), random(300)];
          const tags = await hmacSha256Many(key, messages);
          assertEqual(tags.length, messages.length, 'one tag per message');
          for (const [i, m] of messages.entries())
            assertBytes(tags[i] ?? new Uint8Array(0), await hmacSha256(key, m), `key ${keyLength} bytes, message ${i}`);
        }
        assertEqual((await hmacSha256Many(random(32), [])).length, 0, 'no messages, no tags');
        await assertRejects(
          () => hmacSha256Many(new Uint8Array(0), [new Uint8Array([1])]),
          InvalidKeyError,
          'empty key',
        );
      },
    },
    {
      name: 'X25519 with a repeated peer key (cached import) gives the same secret both ways, every time',
      async run() {
        const a = await generateX25519KeyPair();
        const b = await generateX25519KeyPair();
        const first = await x25519(a.privateKey, b.publicKey);
        const again = await x25519(a.privateKey, b.publicKey);
        const view = new Uint8Array(40);
        view.set(b.publicKey, 4);
        assertBytes(again, first, 'same inputs, same secret');
        assertBytes(await x25519(a.privateKey, view.subarray(4, 36)), first, 'same bytes through a view');
        assertBytes(await x25519(b.privateKey, a.publicKey), first, 'the peer derives the same secret');
        const c = await generateX25519KeyPair();
        const other = await x25519(a.privateKey, c.publicKey);
        assertTrue(
          other.some((x, i) => x !== first[i]),
          'a different peer key gives a different secret',
        );
      },
    },
    {
      name: 'RFC 7748 §6.1: a low-order point is rejected on every use, not only the first',
      async run() {
        const { privateKey } = await generateX25519KeyPair();
        const orderEight = fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');
        for (let i = 0; i < 3; i++)
          await assertRejects(() => x25519(privateKey, orderEight), InvalidKeyError, `use ${i}`);
      },
    },
    {
      name: 'past the cache cap, evicted and fresh keys still give the right secrets',
      async run() {
        const self = await generateX25519KeyPair();
        const peers = await Promise.all(
          Array.from({ length: PUBLIC_KEY_CACHE_SIZE + 8 }, () => generateX25519KeyPair()),
        );
        const firstPeer = peers[0];
        if (firstPeer === undefined) throw new RangeError('no peer');
        const expected = await x25519(firstPeer.privateKey, self.publicKey);
        for (const p of peers) await x25519(self.privateKey, p.publicKey);
        assertBytes(await x25519(self.privateKey, firstPeer.publicKey), expected, 'the evicted key, imported again');
      },
    },
    {
      name: 'RFC 8032 §5.1.7: a cached verification key still refuses a bad signature or another message',
      async run() {
        const signer = await generateEd25519KeyPair();
        const message = utf8Encode('sealdesk key reuse');
        const signature = await ed25519Sign(signer.privateKey, message);
        assertTrue(await ed25519Verify(signer.publicKey, message, signature), 'valid, first use');
        assertTrue(await ed25519Verify(signer.publicKey, message, signature), 'valid, cached key');
        const flipped = signature.slice();
        flipped[0] = (flipped[0] ?? 0) ^ 1;
        assertEqual(await ed25519Verify(signer.publicKey, message, flipped), false, 'flipped signature');
        assertEqual(
          await ed25519Verify(signer.publicKey, utf8Encode('another message'), signature),
          false,
          'another message',
        );
        const other = await generateEd25519KeyPair();
        assertEqual(await ed25519Verify(other.publicKey, message, signature), false, 'another key');
      },
    },
    {
      name: 'only public keys are cached: a secret key from the importer is imported again on every call',
      async run() {
        let imports = 0;
        const bytes = random(32);
        const importer = async (): Promise<CryptoKey> => {
          imports += 1;
          return globalThis.crypto.subtle.importKey('raw', bytes.slice(), 'HKDF', false, ['deriveBits']);
        };
        await cachedPublicKey('cache-test-secret', bytes, importer);
        await cachedPublicKey('cache-test-secret', bytes, importer);
        assertEqual(imports, 2, 'secret keys are never cached');
        let publicImports = 0;
        const { publicKey } = await generateX25519KeyPair();
        const publicImporter = async (): Promise<CryptoKey> => {
          publicImports += 1;
          return globalThis.crypto.subtle.importKey('raw', publicKey.slice(), { name: 'X25519' }, true, []);
        };
        const k1 = await cachedPublicKey('cache-test-public', publicKey, publicImporter);
        const k2 = await cachedPublicKey('cache-test-public', publicKey, publicImporter);
        assertEqual(publicImports, 1, 'a public key is imported once');
        assertTrue(k1 === k2, 'the same CryptoKey is returned');
        await assertRejects(
          () => cachedPublicKey('cache-test-failing', random(32), () => Promise.reject(new InvalidKeyError('refused'))),
          InvalidKeyError,
          'a failed import is passed on',
        );
      },
    },
  ],
};
