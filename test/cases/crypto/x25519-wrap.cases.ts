// X25519 private keys in their wrapped form for storage (shared/crypto/x25519-wrap.ts): round trip,
// the extractable twin gone after the first wrap, foreign keys and damaged forms refused.
import {
  generateWithRetry,
  generateStorageWrappingKey,
  generateX25519KeyPair,
  isStorageWrappingKey,
  unwrapX25519PrivateKey,
  wrapX25519PrivateKey,
  x25519,
  x25519KeyPairFromSeed,
} from '../../../shared/crypto/index.js';
import { InvalidKeyError } from '../../../shared/errors/index.js';
import { assertBytes, assertEqual, assertRejects, assertTrue } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

export const x25519WrapSuite: PortableSuite = {
  name: 'crypto/x25519-wrap',
  cases: [
    {
      name: 'generated and seeded keys wrap, and unwrap non-extractable to the same key',
      async run() {
        const wrappingKey = await generateStorageWrappingKey();
        assertTrue(isStorageWrappingKey(wrappingKey), 'a storage wrapping key');
        assertEqual(wrappingKey.key.extractable, false, 'the wrapping key is non-extractable');
        const peer = await generateX25519KeyPair();
        const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
        for (const pair of [await generateX25519KeyPair(), await x25519KeyPairFromSeed(seed)]) {
          assertEqual(pair.privateKey.extractable, false, 'the caller never gets an extractable key');
          const form = await wrapX25519PrivateKey(pair.privateKey, wrappingKey);
          assertEqual(form.iv.length, 12, 'a 96-bit iv');
          assertEqual(form.wrapped.length, 48 + 16, 'pkcs8 (48 bytes) sealed with a 16-byte tag');
          const back = await unwrapX25519PrivateKey(form, wrappingKey);
          assertEqual(back.extractable, false, 'unwrapped non-extractable');
          assertBytes(await x25519(back, peer.publicKey), await x25519(peer.privateKey, pair.publicKey), 'same key');
          await assertRejects(() => crypto.subtle.exportKey('pkcs8', back), Error, 'exporting the unwrapped key');
        }
      },
    },
    {
      name: 'after its first wrap a key keeps only that form: the same form again, no wrap under another key',
      async run() {
        const first = await generateStorageWrappingKey();
        const other = await generateStorageWrappingKey();
        const pair = await generateX25519KeyPair();
        const form = await wrapX25519PrivateKey(pair.privateKey, first);
        assertTrue((await wrapX25519PrivateKey(pair.privateKey, first)) === form, 'the kept form');
        await assertRejects(() => wrapX25519PrivateKey(pair.privateKey, other), InvalidKeyError, 'another key');
        const back = await unwrapX25519PrivateKey(form, first);
        assertTrue((await wrapX25519PrivateKey(back, first)) === form, 'an unwrapped key keeps its form');
        await assertRejects(() => wrapX25519PrivateKey(back, other), InvalidKeyError, 'an unwrapped key, another key');
      },
    },
    {
      name: 'a key not made by shared/crypto, a damaged form or another wrapping key is InvalidKeyError',
      async run() {
        const wrappingKey = await generateStorageWrappingKey();
        const foreign = await generateWithRetry(() =>
          crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']),
        );
        await assertRejects(() => wrapX25519PrivateKey(foreign.privateKey, wrappingKey), InvalidKeyError, 'foreign');
        const form = await wrapX25519PrivateKey((await generateX25519KeyPair()).privateKey, wrappingKey);
        const flipped = form.wrapped.slice();
        flipped[5] = (flipped[5] ?? 0) ^ 0x80;
        await assertRejects(
          () => unwrapX25519PrivateKey({ iv: form.iv, wrapped: flipped }, wrappingKey),
          InvalidKeyError,
          'a flipped bit',
        );
        await assertRejects(
          () => unwrapX25519PrivateKey({ iv: form.iv.subarray(1), wrapped: form.wrapped }, wrappingKey),
          InvalidKeyError,
          'a short iv',
        );
        await assertRejects(
          async () => unwrapX25519PrivateKey(form, await generateStorageWrappingKey()),
          InvalidKeyError,
          'another wrapping key',
        );
        assertTrue(!isStorageWrappingKey({ key: foreign.privateKey, id: '00'.repeat(16) }), 'not an AES-GCM key');
        assertTrue(!isStorageWrappingKey({ key: wrappingKey.key, id: 'x' }), 'an id of the wrong length');
      },
    },
  ],
};
