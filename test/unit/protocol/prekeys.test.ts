import { describe, expect, it } from 'vitest';
import { x25519, ed25519Sign } from '../../../shared/crypto/index.js';
import { DecodeError, InvalidKeyError, SignatureError, UsageError } from '../../../shared/errors/index.js';
import {
  createDeviceKeys,
  type PrekeyBundle,
  decodePrekeyBundle,
  encodePrekeyBundle,
  PREKEY_POLICY,
  consumeOneTimePrekey,
  createPrekeyState,
  maintainPrekeys,
  oneTimePrekeyReuseAlert,
  prekeyBundleAlert,
  prekeyBundleOf,
  prekeyUpload,
  rotateSignedPrekey,
  signedPrekeyFor,
  verifyPrekeyBundle,
  ProtocolStateError,
  ReplayError,
  StaleSignedPrekeyError,
  FirstContactCacheFullError,
  FirstContactReplayError,
  type PrekeyState,
  recordFirstContactWithoutOneTimePrekey,
  rejectionAlert,
} from '../../../shared/protocol/index.js';
import { asConversationId, encode } from '../../../shared/wire/index.js';
import { IDENTITY_LABELS, labelled } from '../../../shared/protocol/identity/index.js';
import { signedPrekeyStatementCodec } from '../../../shared/protocol/session/prekey-codec.js';
import { identityWorld } from '../../support/identity-fixture.js';
import { SMALL_ORDER_ENCODINGS } from '../../support/small-order-points.js';

const DAY = 86_400_000;

async function world(oneTime = 3) {
  const w = await identityWorld('prekeys');
  const prekeys = await createPrekeyState(w.agent.keys, w.env, oneTime);
  return { ...w, prekeys };
}

async function rejects(
  bundle: PrekeyBundle,
  w: Awaited<ReturnType<typeof world>>,
  errorClass: abstract new (...args: never[]) => Error,
  alertKind: string,
  now = w.clock.now(),
): Promise<void> {
  let caught: unknown;
  try {
    await verifyPrekeyBundle(bundle, w.agent.entry, now);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(errorClass);
  expect(prekeyBundleAlert(caught, w.agent.entry.deviceId)?.kind).toBe(alertKind);
}

describe('prekeys: generation and use', () => {
  it('creates a signed prekey and one-time prekeys whose bundle verifies against the device entry', async () => {
    const w = await world();
    expect(w.prekeys.current.id).toBe(1);
    expect(w.prekeys.oneTime.map((o) => o.id)).toEqual([1, 2, 3]);
    const bundle = prekeyBundleOf(w.prekeys, 2);
    await verifyPrekeyBundle(bundle, w.agent.entry, w.clock.now());
    expect(decodePrekeyBundle(encodePrekeyBundle(bundle))).toEqual(bundle);
    const plain = prekeyBundleOf(w.prekeys);
    expect('oneTimePrekey' in decodePrekeyBundle(encodePrekeyBundle(plain))).toBe(false);
    const upload = prekeyUpload(w.prekeys);
    expect(upload.oneTimePrekeys.map((o) => o.id)).toEqual([1, 2, 3]);
  });

  it('is reproducible from the seeded rng', async () => {
    const a = await world();
    const b = await world();
    expect(a.prekeys.current.keyPair.publicKey).toEqual(b.prekeys.current.keyPair.publicKey);
    expect(a.prekeys.oneTime[2]?.keyPair.publicKey).toEqual(b.prekeys.oneTime[2]?.keyPair.publicKey);
  });

  it('one-time prekey handed out twice: the first use deletes it, the second is a ReplayError with a prekey-reuse alert', async () => {
    const w = await world();
    const first = consumeOneTimePrekey(w.prekeys, 2);
    expect(first.state.oneTime.map((o) => o.id)).toEqual([1, 3]);
    expect(w.prekeys.oneTime.map((o) => o.id)).toEqual([1, 2, 3]);
    expect(first.keyPair.publicKey).toEqual(w.prekeys.oneTime[1]?.keyPair.publicKey);
    const before = structuredClone(first.state);
    expect(() => consumeOneTimePrekey(first.state, 2)).toThrow(ReplayError);
    expect(first.state).toEqual(before);
    expect(oneTimePrekeyReuseAlert(w.agent.keys.deviceId, 2).kind).toBe('prekey-reuse');
  });

  it('rotation keeps the old signed prekey through the grace period, then deletes it', async () => {
    const w = await world();
    w.clock.advance(PREKEY_POLICY.rotateAfterMs);
    const m1 = await maintainPrekeys(w.prekeys, w.agent.keys, w.env);
    expect(m1.rotated).toBe(true);
    expect(m1.state.current.id).toBe(2);
    expect(m1.state.retired.map((r) => r.id)).toEqual([1]);
    expect(m1.added).toBe(PREKEY_POLICY.oneTimeBatch - 3);
    // A first message made against signed prekey 1 still opens during the grace period.
    const old = signedPrekeyFor(m1.state, 1, w.clock.now());
    expect(old.publicKey).toEqual(w.prekeys.current.keyPair.publicKey);
    w.clock.advance(PREKEY_POLICY.graceMs - 1);
    expect(signedPrekeyFor(m1.state, 1, w.clock.now()).publicKey).toEqual(old.publicKey);
    w.clock.advance(1);
    const m2 = await maintainPrekeys(m1.state, w.agent.keys, w.env);
    expect(m2.state.retired.map((r) => r.id)).toEqual([2]);
    expect(m2.deleted).toBe(1);
    expect(() => signedPrekeyFor(m2.state, 1, w.clock.now())).toThrow(ProtocolStateError);
    expect(signedPrekeyFor(m2.state, 3, w.clock.now()).publicKey).toEqual(m2.state.current.keyPair.publicKey);
  });

  it('keeps at most PREKEY_POLICY.maxRetired replaced signed prekeys, newest first', async () => {
    const w = await world(0);
    let state = w.prekeys;
    for (let i = 0; i < PREKEY_POLICY.maxRetired + 3; i++) state = await rotateSignedPrekey(state, w.agent.keys, w.env);
    expect(state.retired).toHaveLength(PREKEY_POLICY.maxRetired);
    expect(state.retired[0]?.id).toBe(state.current.id - 1);
    expect(() => signedPrekeyFor(state, 1, w.clock.now())).toThrow(ProtocolStateError);
  });

  it('maintenance before the rotation is due changes nothing but the one-time top-up', async () => {
    const w = await world(PREKEY_POLICY.oneTimeBatch);
    w.clock.advance(DAY);
    const m = await maintainPrekeys(w.prekeys, w.agent.keys, w.env);
    expect(m.rotated).toBe(false);
    expect(m.added).toBe(0);
    expect(m.state).toEqual(w.prekeys);
  });

  it('the X3DH responder side can use the keys (DH with the signed prekey agrees)', async () => {
    const w = await world();
    const bundle = prekeyBundleOf(w.prekeys, 1);
    const initiator = await createDeviceKeys(w.env);
    const a = await x25519(initiator.identityDh.privateKey, bundle.signedPrekey);
    const b = await x25519(
      signedPrekeyFor(w.prekeys, bundle.signedPrekeyId, w.clock.now()).privateKey,
      initiator.identityDh.publicKey,
    );
    expect(a).toEqual(b);
  });
});

describe('verifyPrekeyBundle: hostile directory', () => {
  it('stale signed prekey: older than the maximum age → StaleSignedPrekeyError and stale-signed-prekey alert', async () => {
    const w = await world();
    const bundle = prekeyBundleOf(w.prekeys);
    await verifyPrekeyBundle(bundle, w.agent.entry, w.clock.now() + PREKEY_POLICY.maxAgeMs);
    await rejects(bundle, w, StaleSignedPrekeyError, 'stale-signed-prekey', w.clock.now() + PREKEY_POLICY.maxAgeMs + 1);
  });

  it('a signed prekey dated in the future is refused as stale', async () => {
    const w = await world();
    await rejects(
      prekeyBundleOf(w.prekeys),
      w,
      StaleSignedPrekeyError,
      'stale-signed-prekey',
      w.clock.now() - PREKEY_POLICY.maxFutureSkewMs - 1,
    );
  });

  it('re-dating a stale prekey breaks its signature', async () => {
    const w = await world();
    const bundle = prekeyBundleOf(w.prekeys);
    await rejects(
      { ...bundle, signedPrekeyCreatedAt: bundle.signedPrekeyCreatedAt + DAY },
      w,
      SignatureError,
      'bad-signature',
    );
  });

  it('swapped signed prekey: the relay substitutes its own X25519 key → SignatureError', async () => {
    const w = await world();
    const relayKeys = await createDeviceKeys(w.env);
    const bundle = prekeyBundleOf(w.prekeys);
    await rejects({ ...bundle, signedPrekey: relayKeys.identityDh.publicKey }, w, SignatureError, 'bad-signature');
    await rejects({ ...bundle, signedPrekeyId: 9 }, w, SignatureError, 'bad-signature');
  });

  it('a bundle of another device (validly signed by it) is refused for this device', async () => {
    const w = await world();
    const otherPrekeys = await createPrekeyState(w.admin.keys, w.env, 0);
    await rejects(prekeyBundleOf(otherPrekeys), w, SignatureError, 'bad-signature');
    await rejects(
      { ...prekeyBundleOf(otherPrekeys), deviceId: w.agent.keys.deviceId },
      w,
      SignatureError,
      'bad-signature',
    );
  });

  it('a signature by the device key without the domain label is refused', async () => {
    const w = await world();
    const bundle = prekeyBundleOf(w.prekeys);
    const signature = await ed25519Sign(w.agent.keys.signing.privateKey, bundle.signedPrekey);
    await rejects({ ...bundle, signedPrekeySignature: signature }, w, SignatureError, 'bad-signature');
  });

  it('malformed signatures (zero, short, long) → SignatureError', async () => {
    const w = await world();
    const bundle = prekeyBundleOf(w.prekeys);
    for (const signature of [new Uint8Array(64), new Uint8Array(63), new Uint8Array(65), new Uint8Array(0)]) {
      await rejects({ ...bundle, signedPrekeySignature: signature }, w, SignatureError, 'bad-signature');
    }
  });

  it('wrong key lengths → InvalidKeyError', async () => {
    const w = await world();
    const bundle = prekeyBundleOf(w.prekeys, 1);
    await rejects({ ...bundle, signedPrekey: bundle.signedPrekey.slice(0, 31) }, w, InvalidKeyError, 'bad-signature');
    await rejects({ ...bundle, signedPrekey: new Uint8Array(33) }, w, InvalidKeyError, 'bad-signature');
    await rejects(
      { ...bundle, oneTimePrekey: { id: 1, publicKey: new Uint8Array(16) } },
      w,
      InvalidKeyError,
      'bad-signature',
    );
    await expect(
      verifyPrekeyBundle(bundle, { ...w.agent.entry, signingKey: new Uint8Array(31) }, w.clock.now()),
    ).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('strict bundle decoding: trailing bytes, truncation, unknown version → DecodeError', async () => {
    const w = await world();
    const bytes = encodePrekeyBundle(prekeyBundleOf(w.prekeys, 1));
    expect(() => decodePrekeyBundle(Uint8Array.from([...bytes, 0]))).toThrow(DecodeError);
    expect(() => decodePrekeyBundle(bytes.slice(0, -1))).toThrow(DecodeError);
    expect(() => decodePrekeyBundle(Uint8Array.from([9, ...bytes.slice(1)]))).toThrow(DecodeError);
  });

  /** The bad-prekey alert for `bundle` (which must be refused with an InvalidKeyError). */
  async function badPrekeyAlert(bundle: PrekeyBundle, w: Awaited<ReturnType<typeof world>>, name: string) {
    const caught: unknown = await verifyPrekeyBundle(bundle, w.agent.entry, w.clock.now()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught, name).toBeInstanceOf(InvalidKeyError);
    const alert = prekeyBundleAlert(caught, w.agent.entry.deviceId);
    expect(alert?.kind, name).toBe('bad-prekey');
    return alert;
  }

  it('#9.2: a one-time prekey at any small-order encoding (RFC 7748 §6.1, Wycheproof) is refused with a bad-prekey alert naming the relay and the device', async () => {
    const w = await world();
    const bundle = prekeyBundleOf(w.prekeys, 1);
    for (const [name, point] of SMALL_ORDER_ENCODINGS) {
      const alert = await badPrekeyAlert({ ...bundle, oneTimePrekey: { id: 1, publicKey: point } }, w, name);
      expect(alert?.suspects).toEqual([{ kind: 'relay' }, { kind: 'participant', id: w.agent.entry.deviceId }]);
    }
    await expect(verifyPrekeyBundle(bundle, w.agent.entry, w.clock.now())).resolves.toBeUndefined();
  });

  it('#9.2: a validly signed signed prekey at a small-order point is refused with a bad-prekey alert naming only the device', async () => {
    const w = await world();
    const bundle = prekeyBundleOf(w.prekeys);
    for (const [name, point] of SMALL_ORDER_ENCODINGS) {
      const statement = encode(signedPrekeyStatementCodec, {
        deviceId: w.agent.keys.deviceId,
        signedPrekeyId: bundle.signedPrekeyId,
        signedPrekey: point,
        createdAt: bundle.signedPrekeyCreatedAt,
      });
      const signature = await ed25519Sign(
        w.agent.keys.signing.privateKey,
        labelled(IDENTITY_LABELS.signedPrekey, statement),
      );
      const alert = await badPrekeyAlert({ ...bundle, signedPrekey: point, signedPrekeySignature: signature }, w, name);
      expect(alert?.suspects).toEqual([{ kind: 'participant', id: w.agent.entry.deviceId }]);
    }
  });

  it('#9.5: the first-contact replay cache refuses a session id seen before, per signed prekey, and is deleted with it', async () => {
    const w = await world();
    const id = (n: number): Uint8Array => new Uint8Array(16).fill(n);
    const now = w.clock.now();
    const once = recordFirstContactWithoutOneTimePrekey(w.prekeys, 1, id(1), now);
    expect(() => recordFirstContactWithoutOneTimePrekey(once, 1, id(1), now)).toThrow(FirstContactReplayError);
    expect(rejectionAlert(new FirstContactReplayError('x'), asConversationId(id(9)))?.kind).toBe('replay');
    const twice = recordFirstContactWithoutOneTimePrekey(once, 1, id(2), now);
    // Rotation keeps the retired signed prekey's cache as long as the key itself (grace period).
    const rotated = await rotateSignedPrekey(twice, w.agent.keys, w.env);
    expect(() => recordFirstContactWithoutOneTimePrekey(rotated, 1, id(2), now)).toThrow(FirstContactReplayError);
    expect(recordFirstContactWithoutOneTimePrekey(rotated, 2, id(2), now)).toBeDefined();
    w.clock.advance(PREKEY_POLICY.graceMs);
    const expired = await maintainPrekeys(rotated, w.agent.keys, w.env);
    expect(expired.state.retired.map((r) => r.id)).not.toContain(1);
    // The key is gone, so a first contact naming it fails anyway: the cache went with it.
    expect(() => recordFirstContactWithoutOneTimePrekey(expired.state, 1, id(2), w.clock.now())).toThrow(
      ProtocolStateError,
    );
    expect(structuredClone(expired.state)).toEqual(expired.state);
  });

  it(`#9.5: past ${PREKEY_POLICY.maxFirstContactsWithoutOneTimePrekey} first contacts without a one-time prekey on one signed prekey, more are refused until maintenance rotates it early`, async () => {
    const w = await world();
    const ids = Array.from({ length: PREKEY_POLICY.maxFirstContactsWithoutOneTimePrekey }, (_, i) => {
      const bytes = new Uint8Array(16);
      new DataView(bytes.buffer).setUint32(0, i);
      return bytes;
    });
    const full: PrekeyState = {
      ...w.prekeys,
      current: { ...w.prekeys.current, firstContactsWithoutOneTimePrekey: ids },
    };
    expect(() => recordFirstContactWithoutOneTimePrekey(full, 1, new Uint8Array(16).fill(0xff), w.clock.now())).toThrow(
      FirstContactCacheFullError,
    );
    const maintained = await maintainPrekeys(full, w.agent.keys, w.env); // long before the 7-day rotation
    expect(maintained.rotated).toBe(true);
    expect(maintained.state.current.id).toBe(2);
    expect(
      recordFirstContactWithoutOneTimePrekey(maintained.state, 2, new Uint8Array(16).fill(0xff), w.clock.now()),
    ).toBeDefined();
  });

  it('rotation by another device is refused', async () => {
    const w = await world();
    await expect(rotateSignedPrekey(w.prekeys, w.admin.keys, w.env)).rejects.toBeInstanceOf(UsageError);
  });
});
