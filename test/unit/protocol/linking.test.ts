import { describe, expect, it } from 'vitest';
import { DecodeError, InvalidKeyError } from '../../../shared/errors/index.js';
import {
  createAccountIdentity,
  ALERT_KINDS,
  acceptArchiveKeyGrant,
  createDeviceKeys,
  createFirstDeviceList,
  findDevice,
  verifySignedDeviceList,
  LinkingAbortedError,
  ProtocolStateError,
  UnauthorisedDeviceError,
  listLinkedDevice,
  proveDevicePossession,
  LinkingMismatchError,
  cancelExistingDeviceLink,
  existingDeviceConfirmCode,
  existingDeviceReceiveReveal,
  startExistingDeviceLink,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startNewDeviceLink,
  linkPayloadFromText,
  linkPayloadToText,
  LINK_PHASES,
} from '../../../shared/protocol/index.js';
import {
  LINKING_LIMITS,
  linkGrantCodec,
  linkOfferCodec,
  linkPayloadCodec,
  linkRevealCodec,
} from '../../../shared/protocol/linking/linking-codec.js';
import { decode, encode, asAccountId, idEquals } from '../../../shared/wire/index.js';
import { linkingWorld } from '../../support/linking-flow.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';
import { testDevice } from '../../support/test-device.js';

/** A relay in the middle that plays "existing device" towards the new device with keys of its own. */
async function relayOffer(payload: Uint8Array, accountId: Uint8Array) {
  const env = hashSeededEnv('mallory');
  const mallory = await testDevice(env, 'Mallory', 'owner');
  const { identity } = await createAccountIdentity(env);
  return startExistingDeviceLink(
    env,
    payload,
    { accountId: asAccountId(accountId), accountKey: identity.signing.publicKey },
    mallory.keys,
  );
}

describe('device linking: honest path', () => {
  it('both screens show the same 6-digit code; on confirmation the new device is linked and gets every archive epoch', async () => {
    const { env, account, owner, newKeys, keyring, profile, n1, e1 } = await linkingWorld();
    expect(n1.payload).toHaveLength(66);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e1.offer);
    const e2 = await existingDeviceReceiveReveal(e1.state, env, n2.reveal);
    expect(e2.code).toMatch(/^\d{6}$/);
    expect(e2.code).toBe(n2.code);
    const n3 = newDeviceConfirmCode(n2.state, env, true);
    const e3 = await existingDeviceConfirmCode(e2.state, env, { codesMatch: true, profile, self: owner.keys, keyring });
    expect(e3.state.phase).toBe(LINK_PHASES.released);
    const release = e3.release;
    if (release === undefined) throw new Error('expected a release');
    expect(idEquals(release.entry.deviceId, newKeys.deviceId)).toBe(true);
    expect(release.entry.dhIdentityKey).toEqual(newKeys.identityDh.publicKey);
    expect(release.change.kind).toBe('add-device');
    expect(release.archiveGrants).toHaveLength(1);

    const n4 = await newDeviceReceiveGrant(n3.state, env, release.grant);
    const linked = n4.state;
    if (linked.phase !== LINK_PHASES.linked) throw new Error('expected linked');
    expect(linked.accountKey).toEqual(account.accountKey);
    expect(idEquals(linked.sponsor.deviceId, owner.keys.deviceId)).toBe(true);
    expect(linked.archiveGrantCount).toBe(1);
    const got = await acceptArchiveKeyGrant(
      undefined,
      account.accountId,
      release.archiveGrants[0]?.sealed ?? new Uint8Array(0),
      newKeys,
      [linked.sponsor],
    );
    expect(got.keyring.keys).toHaveLength(keyring.keys.length);
  });

  it('states survive structured cloning (IndexedDB) between steps', async () => {
    const { env, owner, keyring, profile, n1, e1 } = await linkingWorld();
    const n2 = await newDeviceReceiveOffer(structuredClone(n1.state), env, e1.offer);
    const e2 = await existingDeviceReceiveReveal(structuredClone(e1.state), env, n2.reveal);
    const n3 = newDeviceConfirmCode(structuredClone(n2.state), env, true);
    const e3 = await existingDeviceConfirmCode(structuredClone(e2.state), env, {
      codesMatch: true,
      profile,
      self: owner.keys,
      keyring,
    });
    const n4 = await newDeviceReceiveGrant(structuredClone(n3.state), env, e3.release?.grant ?? new Uint8Array(0));
    expect(n4.state.phase).toBe(LINK_PHASES.linked);
  });

  it('the payload can be typed instead of scanned (base32 text), strictly parsed', async () => {
    const { n1 } = await linkingWorld();
    const typed = linkPayloadToText(n1.payload);
    expect(typed).toMatch(/^[a-z2-7]{4}( [a-z2-7]{1,4})+$/);
    expect(linkPayloadFromText(typed.toUpperCase().replace(/ /g, '-'))).toEqual(n1.payload);
    expect(() => linkPayloadFromText(typed.slice(0, -4))).toThrow(DecodeError);
    expect(() => linkPayloadFromText(`${typed}0`)).toThrow(DecodeError);
  });

  it('a fresh attempt gives a fresh link id and code', async () => {
    const a = await linkingWorld('attempt-a');
    const b = await linkingWorld('attempt-b');
    expect(a.n1.state.linkId).not.toEqual(b.n1.state.linkId);
  });
});

describe('device linking: into the signed device list', () => {
  it('the AIK holder signs the next list with the linked device; an agent may not give its device the owner role', async () => {
    const { env, identity, owner, keyring, n1, e1, newKeys } = await linkingWorld();
    const ann = await testDevice(env, 'Ann', 'agent');
    const v1 = await createFirstDeviceList(identity, { devices: [owner.entry, ann.entry] }, env);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e1.offer);
    const e2 = await existingDeviceReceiveReveal(e1.state, env, n2.reveal);
    const confirm = async (role: 'owner' | 'agent') => {
      const profile = { agentId: ann.entry.agentId, agentName: 'Ann', kind: 'pwa', role } as const;
      const release = (
        await existingDeviceConfirmCode(e2.state, env, { codesMatch: true, profile, self: owner.keys, keyring })
      ).release;
      if (release === undefined) throw new Error('expected a release');
      return release;
    };
    // #17.2: the new device proves possession of its keys for this account and agent (after the grant).
    const proof = await proveDevicePossession(newKeys, identity.accountId, ann.entry.agentId);
    await expect(
      listLinkedDevice(identity, v1, ann.keys.deviceId, await confirm('owner'), proof, env),
    ).rejects.toBeInstanceOf(UnauthorisedDeviceError);
    const release = await confirm('agent');
    const v2 = await listLinkedDevice(identity, v1, ann.keys.deviceId, release, proof, env);
    const list = await verifySignedDeviceList(v2, identity.signing.publicKey);
    expect(list.version).toBe(2);
    expect(findDevice(list, release.entry.deviceId)?.agentName).toBe('Ann');
  });
});

describe('device linking: relay in the middle', () => {
  it('linking MITM: a substituted offer makes the codes differ; rejecting aborts with linkingMismatch and releases nothing', async () => {
    const { env, owner, keyring, profile, n1, e1 } = await linkingWorld();
    const mallory = await relayOffer(n1.payload, n1.state.accountId);
    const n2 = await newDeviceReceiveOffer(n1.state, env, mallory.offer); // the new device sees the relay's offer
    const e2 = await existingDeviceReceiveReveal(e1.state, env, n2.reveal); // the relay forwards the genuine reveal
    expect(e2.code).not.toBe(n2.code);

    const e3 = await existingDeviceConfirmCode(e2.state, env, { codesMatch: false });
    expect(e3.state.phase).toBe(LINK_PHASES.aborted);
    expect(e3.release).toBeUndefined();
    expect(e3.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.linkingMismatch]);
    await expect(
      existingDeviceConfirmCode(e3.state, env, { codesMatch: true, profile, self: owner.keys, keyring }),
    ).rejects.toBeInstanceOf(LinkingAbortedError);

    const n3 = newDeviceConfirmCode(n2.state, env, false);
    expect(n3.state.phase).toBe(LINK_PHASES.aborted);
    expect(n3.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.linkingMismatch]);
  });

  it('linking MITM: even a wrongly confirmed link gives the relay nothing, and the new device refuses the grant', async () => {
    const { env, owner, keyring, profile, n1, e1 } = await linkingWorld();
    const mallory = await relayOffer(n1.payload, n1.state.accountId);
    const n2 = await newDeviceReceiveOffer(n1.state, env, mallory.offer);
    const e2 = await existingDeviceReceiveReveal(e1.state, env, n2.reveal);
    const e3 = await existingDeviceConfirmCode(e2.state, env, { codesMatch: true, profile, self: owner.keys, keyring });
    const release = e3.release;
    if (release === undefined) throw new Error('expected a release');
    // The archive keys are sealed to the key the new device committed to in its QR code, not to the relay.
    const relayKeys = await createDeviceKeys(hashSeededEnv('mallory-device'));
    await expect(
      acceptArchiveKeyGrant(
        undefined,
        n1.state.accountId,
        release.archiveGrants[0]?.sealed ?? new Uint8Array(0),
        relayKeys,
        [owner.entry],
      ),
    ).rejects.toBeInstanceOf(ProtocolStateError);
    // The new device, talking to the relay, cannot open the genuine grant: keys differ.
    const n3 = newDeviceConfirmCode(n2.state, env, true);
    const error = await newDeviceReceiveGrant(n3.state, env, release.grant).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkingMismatchError);
    expect((error as LinkingMismatchError).alert.kind).toBe(ALERT_KINDS.linkingMismatch);
  });

  it('linking MITM: a substituted reveal does not match the QR commitment (LinkingMismatchError), state unchanged', async () => {
    const { env, newKeys, n1, e1 } = await linkingWorld();
    // The relay plays "new device" with keys of its own, reusing the link id it saw.
    const relayEnv = hashSeededEnv('mallory-new');
    const relayDevice = await createDeviceKeys(relayEnv);
    const relayStart = await startNewDeviceLink(relayEnv, n1.state.accountId, relayDevice);
    if (relayStart.state.phase !== LINK_PHASES.awaitingOffer) throw new Error('expected awaiting-offer');
    const relayReveal = encode(linkRevealCodec, {
      ...decode(linkRevealCodec, relayStart.state.reveal),
      linkId: n1.state.linkId,
    });
    const error = await existingDeviceReceiveReveal(e1.state, env, relayReveal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkingMismatchError);
    expect((error as LinkingMismatchError).alert.kind).toBe(ALERT_KINDS.linkingMismatch);
    // The genuine reveal still goes through from the unchanged state.
    const n2 = await newDeviceReceiveOffer(n1.state, env, e1.offer);
    const e2 = await existingDeviceReceiveReveal(e1.state, env, n2.reveal);
    expect(e2.code).toBe(n2.code);
    if (e2.state.phase !== LINK_PHASES.awaitingConfirmation) throw new Error('expected awaiting-confirmation');
    expect(idEquals(e2.state.newDevice.deviceId, newKeys.deviceId)).toBe(true);
  });

  it('linking MITM: the code depends on the committed reveal, so the relay cannot choose it', async () => {
    const a = await linkingWorld('grind-1');
    const b = await linkingWorld('grind-2');
    const na = await newDeviceReceiveOffer(a.n1.state, a.env, a.e1.offer);
    const nb = await newDeviceReceiveOffer(b.n1.state, b.env, b.e1.offer);
    expect(na.code).not.toBe(nb.code);
  });
});

describe('device linking: bad input and wrong steps (typed error, state unchanged)', () => {
  it('refuses a QR code of another account (LinkingAbortedError)', async () => {
    const { env, owner, n1 } = await linkingWorld();
    const other = { accountId: asAccountId(new Uint8Array(16).fill(1)), accountKey: new Uint8Array(32) };
    await expect(startExistingDeviceLink(env, n1.payload, other, owner.keys)).rejects.toBeInstanceOf(
      LinkingAbortedError,
    );
  });

  it('rejects malformed payloads, offers and reveals (DecodeError) and keeps going with the genuine ones', async () => {
    const { env, account, owner, n1, e1 } = await linkingWorld();
    const v2 = new Uint8Array(n1.payload);
    v2[0] = 3;
    await expect(startExistingDeviceLink(env, v2, account, owner.keys)).rejects.toBeInstanceOf(DecodeError);
    await expect(startExistingDeviceLink(env, n1.payload.subarray(1), account, owner.keys)).rejects.toBeInstanceOf(
      DecodeError,
    );
    await expect(newDeviceReceiveOffer(n1.state, env, e1.offer.subarray(0, 100))).rejects.toBeInstanceOf(DecodeError);
    await expect(newDeviceReceiveOffer(n1.state, env, new Uint8Array([...e1.offer, 0]))).rejects.toBeInstanceOf(
      DecodeError,
    );
    const n2 = await newDeviceReceiveOffer(n1.state, env, e1.offer);
    await expect(existingDeviceReceiveReveal(e1.state, env, new Uint8Array(0))).rejects.toBeInstanceOf(DecodeError);
    const e2 = await existingDeviceReceiveReveal(e1.state, env, n2.reveal);
    expect(e2.code).toBe(n2.code);
  });

  it('rejects a low-order ephemeral key in the offer (InvalidKeyError), state unchanged', async () => {
    const { env, n1, e1 } = await linkingWorld();
    const before = structuredClone(n1.state);
    const bad = encode(linkOfferCodec, { ...decode(linkOfferCodec, e1.offer), ephemeralKey: new Uint8Array(32) });
    await expect(newDeviceReceiveOffer(n1.state, env, bad)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(n1.state.phase).toBe(before.phase);
    expect((await newDeviceReceiveOffer(n1.state, env, e1.offer)).code).toMatch(/^\d{6}$/);
  });

  it('refuses a new device whose identity key is a low-order point (InvalidKeyError) before showing a code', async () => {
    const { env, account, owner, newKeys } = await linkingWorld();
    const bad = { ...newKeys, identityDh: { publicKey: new Uint8Array(32) } };
    const n1 = await startNewDeviceLink(env, account.accountId, bad);
    const e1 = await startExistingDeviceLink(env, n1.payload, account, owner.keys);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e1.offer);
    await expect(existingDeviceReceiveReveal(e1.state, env, n2.reveal)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('rejects messages of another link attempt (ProtocolStateError)', async () => {
    const { env, n1, e1 } = await linkingWorld();
    const other = encode(linkOfferCodec, { ...decode(linkOfferCodec, e1.offer), linkId: new Uint8Array(16).fill(7) });
    await expect(newDeviceReceiveOffer(n1.state, env, other)).rejects.toBeInstanceOf(ProtocolStateError);
    const payload = decode(linkPayloadCodec, n1.payload);
    expect(payload.linkId).toEqual(n1.state.linkId);
  });

  it('rejects a tampered grant (LinkingMismatchError) and a grant before the user confirmed (ProtocolStateError)', async () => {
    const { env, owner, keyring, profile, n1, e1 } = await linkingWorld();
    const n2 = await newDeviceReceiveOffer(n1.state, env, e1.offer);
    const e2 = await existingDeviceReceiveReveal(e1.state, env, n2.reveal);
    const e3 = await existingDeviceConfirmCode(e2.state, env, { codesMatch: true, profile, self: owner.keys, keyring });
    const grant = e3.release?.grant ?? new Uint8Array(0);
    await expect(newDeviceReceiveGrant(n2.state, env, grant)).rejects.toBeInstanceOf(ProtocolStateError);
    const n3 = newDeviceConfirmCode(n2.state, env, true);
    const parsed = decode(linkGrantCodec, grant);
    const flipped = new Uint8Array(parsed.ciphertext);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    await expect(
      newDeviceReceiveGrant(n3.state, env, encode(linkGrantCodec, { ...parsed, ciphertext: flipped })),
    ).rejects.toBeInstanceOf(LinkingMismatchError);
    expect((await newDeviceReceiveGrant(n3.state, env, grant)).state.phase).toBe(LINK_PHASES.linked);
  });

  it('refuses steps out of order (ProtocolStateError) and after a cancel (LinkingAbortedError)', async () => {
    const { env, n1, e1 } = await linkingWorld();
    expect(() => newDeviceConfirmCode(n1.state, env, true)).toThrow(ProtocolStateError);
    const cancelled = cancelExistingDeviceLink(e1.state, 'user cancelled');
    expect(cancelled.alerts).toEqual([]);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e1.offer);
    await expect(existingDeviceReceiveReveal(cancelled.state, env, n2.reveal)).rejects.toBeInstanceOf(
      LinkingAbortedError,
    );
  });

  it('expires after the time limit (LinkingAbortedError)', async () => {
    const { env, n1, e1 } = await linkingWorld();
    env.advance(LINKING_LIMITS.ttlMs + 1);
    await expect(newDeviceReceiveOffer(n1.state, env, e1.offer)).rejects.toBeInstanceOf(LinkingAbortedError);
  });
});
