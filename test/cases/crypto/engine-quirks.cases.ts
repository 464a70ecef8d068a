// Engine quirks shared/crypto works around (probed in WebKitGTK 2.50, which the widget must serve):
// an X25519 private key whose first byte is 0x00 is refused on import (DataError), and about one
// Ed25519 or X25519 generateKey in 150 fails with OperationError; its Ed25519 verify accepted S + L
// (RFC 8032 §5.1.7, checked in shared/crypto now); it refuses an Ed25519 secret whose first byte is
// 0x00 (new secrets are drawn without one: ed25519Seed). Run in Node, Chromium, Firefox
// and WebKit (test/browser/crypto-engines.browser.test.ts).
import {
  ed25519KeyPairFromSeed,
  ed25519Seed,
  ed25519Sign,
  ed25519Verify,
  generateEd25519KeyPair,
  generateX25519KeyPair,
  x25519,
  x25519KeyPairFromSeed,
} from '../../../shared/crypto/index.js';
import { assertBytes, assertEqual, assertTrue } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

/** Enough generations that, at WebKit's failure rate, an unretried run fails with near certainty. */
const GENERATIONS = 400;

export const engineQuirksSuite: PortableSuite = {
  name: 'crypto/engine-quirks',
  cases: [
    {
      name: 'an X25519 scalar whose first byte is 0x00 imports, and is the same key as with 0x01 (RFC 7748 §5 clamping)',
      async run() {
        for (let i = 0; i < 8; i++) {
          const zero = crypto.getRandomValues(new Uint8Array(32));
          zero[0] = 0x00;
          const one = zero.slice();
          one[0] = 0x01;
          const a = await x25519KeyPairFromSeed(zero);
          const b = await x25519KeyPairFromSeed(one);
          assertBytes(a.publicKey, b.publicKey, 'the same public key');
          const peer = await generateX25519KeyPair();
          assertBytes(
            await x25519(a.privateKey, peer.publicKey),
            await x25519(peer.privateKey, b.publicKey),
            'agreement',
          );
        }
      },
    },
    {
      name: 'ed25519Seed draws again rather than return a first byte 0x00 (WebKit refuses those); its seeds import and sign',
      async run() {
        let draws = 0;
        const rng = (length: number): Uint8Array => {
          const bytes = crypto.getRandomValues(new Uint8Array(length));
          bytes[0] = draws++ === 0 ? 0x00 : 0x80;
          bytes[length - 1] = 0x00; // a zero last byte is fine everywhere
          return bytes;
        };
        const seed = ed25519Seed(rng);
        assertEqual(draws, 2, 'drawn twice');
        assertEqual(seed[0], 0x80, 'the second draw');
        const pair = await ed25519KeyPairFromSeed(seed);
        const message = Uint8Array.of(7);
        assertTrue(await ed25519Verify(pair.publicKey, message, await ed25519Sign(pair.privateKey, message)), 'signs');
      },
    },
    {
      name: `${GENERATIONS} X25519 and ${GENERATIONS} Ed25519 key pairs generate without an error`,
      async run() {
        let made = 0;
        for (let i = 0; i < GENERATIONS; i++) {
          const x = await generateX25519KeyPair();
          const e = await generateEd25519KeyPair();
          if (x.publicKey.length === 32 && e.publicKey.length === 32) made++;
        }
        assertEqual(made, GENERATIONS, 'key pairs made');
      },
    },
  ],
};
