/**
 * Every portable suite: run in Node by test/unit/portable-suites.test.ts and in real Chromium by
 * test/browser/portable-suites.browser.test.ts. Add a suite here and it runs in both.
 */
import type { PortableSuite } from './portable-case.js';
import { identitySuite } from './protocol/identity.cases.js';
import { keySharingSuite } from './protocol/key-sharing.cases.js';
import { sessionsSuite } from './protocol/sessions.cases.js';
import { aeadSuite } from './crypto/aead.cases.js';
import { bytesSuite } from './crypto/bytes.cases.js';
import { ed25519Suite } from './crypto/ed25519.cases.js';
import { engineQuirksSuite } from './crypto/engine-quirks.cases.js';
import { fingerprintSuite } from './crypto/fingerprint.cases.js';
import { hkdfSuite } from './crypto/hkdf.cases.js';
import { hmacHashSuite } from './crypto/hmac-hash.cases.js';
import { keyReuseSuite } from './crypto/key-reuse.cases.js';
import { x25519WycheproofSuite } from './crypto/x25519-wycheproof.cases.js';
import { x25519Suite } from './crypto/x25519.cases.js';
import { x25519WrapSuite } from './crypto/x25519-wrap.cases.js';
import { wireCodecSuite } from './wire/codec.cases.js';
import { wireEnvelopeRouteSuite } from './wire/envelope-route.cases.js';
import { wireEnvelopeSuite } from './wire/envelope.cases.js';
import { wireFramesSuite } from './wire/frames.cases.js';
import { wireIdsSuite } from './wire/ids.cases.js';
import { wireReaderWriterSuite } from './wire/reader-writer.cases.js';

export const allSuites: readonly PortableSuite[] = [
  bytesSuite,
  fingerprintSuite,
  x25519Suite,
  x25519WycheproofSuite,
  x25519WrapSuite,
  ed25519Suite,
  engineQuirksSuite,
  hkdfSuite,
  aeadSuite,
  hmacHashSuite,
  keyReuseSuite,
  keySharingSuite,
  identitySuite,
  sessionsSuite,
  wireReaderWriterSuite,
  wireCodecSuite,
  wireIdsSuite,
  wireEnvelopeSuite,
  wireEnvelopeRouteSuite,
  wireFramesSuite,
];

/** The crypto the widget runs, also checked in Firefox and WebKit (crypto-engines.browser.test.ts). */
export const cryptoEngineSuites: readonly PortableSuite[] = [
  x25519Suite,
  x25519WrapSuite,
  ed25519Suite,
  engineQuirksSuite,
];
