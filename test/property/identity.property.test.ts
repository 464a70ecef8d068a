/**
 * Property tests of the identity layer (docs/PROTOCOL.md §3, §4, §11, §12): codec round trips,
 * hostile bytes that may only raise DecodeError, single-bit flips of a signed device list that
 * are always refused with a typed error and no state change, display-name spoofing characters,
 * and order independence of the safety code. Every property runs 1000 times.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, SealdeskError } from '../../shared/errors/index.js';
import {
  decodeDeviceListBody,
  decodeSignedDeviceList,
  encodeDeviceListBody,
  type DirectoryView,
  createDirectoryView,
  receiveDeviceList,
  requireAccepted,
  validateDisplayName,
  InvalidDisplayNameError,
  type DeviceEntry,
  type DeviceList,
  decodePrekeyBundle,
  decodeIdentityBackup,
  decodeSignedRotation,
  safetyCode,
} from '../../shared/protocol/index.js';
import { asAccountId, asConversationId, asDeviceId } from '../../shared/wire/index.js';
import { type IdentityWorld, identityWorld } from '../support/identity-fixture.js';

const RUNS = { numRuns: 1000 } as const;

const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
const safeName = fc.stringMatching(/^[A-Za-z][A-Za-z]{0,20}( [A-Za-z]{1,20})?$/);

const entryArb: fc.Arbitrary<DeviceEntry> = fc.record({
  deviceId: bytes(16).map(asDeviceId),
  agentId: bytes(16),
  agentName: safeName,
  kind: fc.constantFrom('extension' as const, 'pwa' as const),
  role: fc.constantFrom('owner' as const, 'admin' as const, 'agent' as const),
  signingKey: bytes(32),
  dhIdentityKey: bytes(32),
  sponsorId: bytes(16).map(asDeviceId),
  proofOfPossession: bytes(64),
});

const listArb: fc.Arbitrary<DeviceList> = fc
  .record({
    accountId: bytes(16).map(asAccountId),
    version: fc.integer({ min: 1, max: 0xffff_ffff }),
    previousHash: bytes(32),
    accountKey: bytes(32),
    recoveryKey: fc.option(bytes(32), { nil: undefined }),
    issuedAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    notAfter: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    supportedVersions: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }),
    devices: fc.array(entryArb, { maxLength: 8 }),
  })
  .map(({ recoveryKey, ...rest }) => (recoveryKey === undefined ? rest : { ...rest, recoveryKey }));

function onlyDecodeError(decodeFn: (b: Uint8Array) => unknown): (b: Uint8Array) => void {
  return (b) => {
    try {
      decodeFn(b);
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
    }
  };
}

describe('identity codecs (properties)', () => {
  it('device list bodies round-trip byte for byte', () => {
    fc.assert(
      fc.property(listArb, (list) => {
        const body = encodeDeviceListBody(list);
        const back = decodeDeviceListBody(body);
        expect(back).toEqual(list);
        expect(encodeDeviceListBody(back)).toEqual(body);
      }),
      RUNS,
    );
  });

  it('random bytes only ever raise DecodeError from every identity decoder', () => {
    const anyBytes = fc.uint8Array({ maxLength: 600 });
    for (const decodeFn of [
      decodeDeviceListBody,
      decodeSignedDeviceList,
      decodePrekeyBundle,
      decodeSignedRotation,
      decodeIdentityBackup,
    ]) {
      fc.assert(fc.property(anyBytes, onlyDecodeError(decodeFn)), RUNS);
    }
  });

  it('valid headers with random tails only ever raise DecodeError (deeper parsing paths)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (tail) => {
        onlyDecodeError(decodeDeviceListBody)(Uint8Array.from([1, 1, ...tail]));
      }),
      RUNS,
    );
  });
});

describe('signed device list: every single-bit flip is refused (properties)', () => {
  let w: IdentityWorld;
  let view: DirectoryView;
  beforeAll(async () => {
    w = await identityWorld('bit-flips');
    view = requireAccepted(await receiveDeviceList(createDirectoryView(w.pin), w.v1, w.env)).state;
  });

  it('a flip in the body or the signature of the accepted list: typed error, state unchanged; in a fresh view too', async () => {
    const total = 8 * (w.v1.body.length + w.v1.signature.length);
    const fresh = createDirectoryView(w.pin);
    const before = structuredClone(view);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: total - 1 }), async (bit) => {
        const body = w.v1.body.slice();
        const signature = w.v1.signature.slice();
        const byte = bit >> 3;
        const target = byte < body.length ? body : signature;
        const index = byte < body.length ? byte : byte - body.length;
        target[index] = (target[index] ?? 0) ^ (1 << (bit & 7));
        for (const state of [view, fresh]) {
          const update = await receiveDeviceList(state, { body, signature }, w.env);
          expect(update.outcome).toBe('rejected');
          expect(update.rejected).toBeInstanceOf(SealdeskError);
          expect(update.state).toBe(state);
        }
      }),
      RUNS,
    );
    expect(view).toEqual(before);
  });
});

describe('display names and safety codes (properties)', () => {
  const spoofing = fc.constantFrom(
    '\u202E',
    '\u202D',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
    '\u200E',
    '\u200F',
    '\u061C',
    '\u200B',
    '\u200C',
    '\u200D',
    '\u2060',
    '\uFEFF',
    '\u00AD',
    '\u3164',
    '\u00A0',
  );

  it('a bidi control or zero-width character anywhere in a valid name is rejected', () => {
    fc.assert(
      fc.property(safeName, spoofing, fc.nat(), (name, bad, at) => {
        const i = at % (name.length + 1);
        expect(() => validateDisplayName(name.slice(0, i) + bad + name.slice(i))).toThrow(InvalidDisplayNameError);
      }),
      RUNS,
    );
  });

  it('validateDisplayName on any string either returns it unchanged or throws InvalidDisplayNameError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (name) => {
        try {
          expect(validateDisplayName(name)).toBe(name);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidDisplayNameError);
        }
      }),
      RUNS,
    );
  });

  it('the safety code does not depend on argument order', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(16), bytes(32), bytes(32), async (id, a, b) => {
        fc.pre(a.some((x, i) => x !== b[i]));
        const conversation = asConversationId(id);
        expect(await safetyCode(conversation, a, b)).toBe(await safetyCode(conversation, b, a));
      }),
      RUNS,
    );
  });
});
