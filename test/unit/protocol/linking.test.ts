import { describe, expect, it } from 'vitest';
import { DecodeError, InvalidKeyError, SignatureError, UsageError } from '../../../shared/errors/index.js';
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
  LinkingMismatchError,
  cancelExistingDeviceLink,
  existingDeviceConfirmCode,
  existingDeviceReceiveHello,
  startExistingDeviceLink,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startNewDeviceLink,
  linkPayloadFromText,
  linkPayloadToText,
  verifyProofOfPossession,
  LINK_PHASES,
} from '../../../shared/protocol/index.js';
import { aesGcmEncrypt } from '../../../shared/crypto/index.js';
import { grantAad } from '../../../shared/protocol/linking/linking-transcript.js';
import {
  LINKING_LIMITS,
  linkGrantBodyCodec,
  linkGrantCodec,
  linkHelloCodec,
  linkOfferCodec,
  linkPayloadCodec,
} from '../../../shared/protocol/linking/linking-codec.js';
import { decode, encode, idEquals } from '../../../shared/wire/index.js';
import { linkingWorld } from '../../support/linking-flow.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';
import { testDevice } from '../../support/test-device.js';

/** A relay in the middle that plays "new device" towards the existing device with keys of its own. */
async function relayHello(payload: Uint8Array) {
  const env = hashSeededEnv('mallory');
  return startNewDeviceLink(env, payload, await createDeviceKeys(env), 'pwa');
}

/** A relay in the middle that plays "existing device" towards the new device with keys of its own. */
async function relayOffer(linkId: Uint8Array) {
  const env = hashSeededEnv('mallory');
  const mallory = await testDevice(env, 'Mallory', 'owner');
  const { identity } = await createAccountIdentity(env);
  const start = await startExistingDeviceLink(
    env,
    { accountId: identity.accountId, accountKey: identity.signing.publicKey },
    mallory.keys,
    mallory.entry.agentId,
  );
  if (start.state.phase !== LINK_PHASES.awaitingHello) throw new Error('expected awaiting-hello');
  return encode(linkOfferCodec, { ...decode(linkOfferCodec, start.state.offer), linkId });
}

describe('device linking: honest path (the existing device shows the QR code)', () => {
  it('#13.2: the new device scans the existing device’s QR; both show the same 6-digit code; on confirmation the new device is linked and gets every archive epoch', async () => {
    const { env, account, owner, newKeys, list, keyring, profile, e1, n1 } = await linkingWorld();
    expect(e1.payload).toHaveLength(82);
    expect(n1.hello).toHaveLength(195);
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    expect(e2.offer).toHaveLength(162);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e2.offer);
    expect(e2.code).toMatch(/^\d{6}$/);
    expect(e2.code).toBe(n2.code);
    const n3 = newDeviceConfirmCode(n2.state, env, true);
    const e3 = await existingDeviceConfirmCode(e2.state, env, { codesMatch: true, profile, self: owner.keys, keyring });
    expect(e3.state.phase).toBe(LINK_PHASES.released);
    const release = e3.release;
    if (release === undefined) throw new Error('expected a release');
    expect(idEquals(release.entry.deviceId, newKeys.deviceId)).toBe(true);
    expect(release.entry.dhIdentityKey).toEqual(newKeys.identityDh.publicKey);
    expect(release.entry.agentId).toEqual(owner.entry.agentId);
    expect(release.change.kind).toBe('add-device');
    expect(release.archiveGrants).toHaveLength(1);

    const n4 = await newDeviceReceiveGrant(n3.state, env, release.grant);
    const linked = n4.state;
    if (linked.phase !== LINK_PHASES.linked) throw new Error('expected linked');
    expect(linked.accountKey).toEqual(account.accountKey);
    expect(idEquals(linked.accountId, account.accountId)).toBe(true);
    expect(idEquals(linked.sponsor.deviceId, owner.keys.deviceId)).toBe(true);
    expect(linked.archiveGrantCount).toBe(1);
    // The sponsor must be listed in the list the new device verified (here the list before it joins).
    expect(list.devices.map((d) => d.signingKey)).toContainEqual(linked.sponsor.signingKey);
    const got = await acceptArchiveKeyGrant(
      undefined,
      list,
      release.archiveGrants[0]?.sealed ?? new Uint8Array(0),
      newKeys,
    );
    expect(got.keyring.keys).toHaveLength(keyring.keys.length);
  });

  it('#13.2: the release carries the new device’s proof of possession over (accountId, deviceId, signing key, dh identity key, agentId)', async () => {
    const { env, account, owner, keyring, profile, e1, n1 } = await linkingWorld();
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const e3 = await existingDeviceConfirmCode(e2.state, env, { codesMatch: true, profile, self: owner.keys, keyring });
    const release = e3.release;
    if (release === undefined) throw new Error('expected a release');
    const { entry } = release;
    expect(await verifyProofOfPossession(account.accountId, entry)).toBe(true);
    expect(await verifyProofOfPossession(account.accountId, { ...entry, agentId: new Uint8Array(16).fill(9) })).toBe(
      false,
    );
  });

  it('§10.2: the entry carries the kind the new device sent in its hello, signed by its proof of possession', async () => {
    const { env, account, owner, keyring, profile, e1, n1 } = await linkingWorld();
    expect(decode(linkHelloCodec, n1.hello, 'hello').kind).toBe('pwa');
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    // The sponsor's own profile says 'extension': the new device's entry keeps the kind it sent.
    const sponsorKind = { ...profile, kind: 'extension' } as const;
    const e3 = await existingDeviceConfirmCode(e2.state, env, {
      codesMatch: true,
      profile: sponsorKind,
      self: owner.keys,
      keyring,
    });
    const entry = e3.release?.entry;
    if (entry === undefined) throw new Error('expected a release');
    expect(entry.kind).toBe('pwa');
    expect(await verifyProofOfPossession(account.accountId, entry)).toBe(true);
    expect(await verifyProofOfPossession(account.accountId, { ...entry, kind: 'extension' })).toBe(false);
    // A hello whose kind was changed in transit no longer matches its proof of possession.
    const hello = decode(linkHelloCodec, n1.hello, 'hello');
    const swapped = encode(linkHelloCodec, { ...hello, kind: 'extension' as const });
    await expect(existingDeviceReceiveHello(e1.state, env, swapped)).rejects.toBeInstanceOf(SignatureError);
  });

  it('#13.2: states survive structured cloning (IndexedDB) between steps', async () => {
    const { env, owner, keyring, profile, e1, n1 } = await linkingWorld();
    const e2 = await existingDeviceReceiveHello(structuredClone(e1.state), env, n1.hello);
    const n2 = await newDeviceReceiveOffer(structuredClone(n1.state), env, e2.offer);
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

  it('#13.2: the existing device’s payload can be pasted instead of scanned (base32 text), round-trips, strictly parsed', async () => {
    const { env, newKeys, e1 } = await linkingWorld();
    const typed = linkPayloadToText(e1.payload);
    expect(typed).toMatch(/^[a-z2-7]{4}( [a-z2-7]{1,4})+$/);
    const pasted = linkPayloadFromText(typed.toUpperCase().replace(/ /g, '-'));
    expect(pasted).toEqual(e1.payload);
    expect(() => linkPayloadFromText(typed.slice(0, -4))).toThrow(DecodeError);
    expect(() => linkPayloadFromText(`${typed}0`)).toThrow(DecodeError);
    // #9.8 sibling: ASCII-only folding, as for the pin: a KELVIN SIGN is not a `k`, a tab is not a space.
    const withK = typed.indexOf('k');
    if (withK >= 0)
      expect(() => linkPayloadFromText(`${typed.slice(0, withK)}\u212A${typed.slice(withK + 1)}`)).toThrow(DecodeError);
    expect(() => linkPayloadFromText(typed.replace(' ', '\t'))).toThrow(DecodeError);
    // The pasted form starts the same link as the scanned one.
    const n1 = await startNewDeviceLink(env, pasted, newKeys, 'pwa');
    expect(n1.state.linkId).toEqual(e1.state.linkId);
    expect((await existingDeviceReceiveHello(e1.state, env, n1.hello)).code).toMatch(/^\d{6}$/);
  });

  it('#13.2: a fresh attempt gives a fresh link id and code', async () => {
    const a = await linkingWorld('attempt-a');
    const b = await linkingWorld('attempt-b');
    expect(a.e1.state.linkId).not.toEqual(b.e1.state.linkId);
    const ca = (await existingDeviceReceiveHello(a.e1.state, a.env, a.n1.hello)).code;
    const cb = (await existingDeviceReceiveHello(b.e1.state, b.env, b.n1.hello)).code;
    expect(ca).not.toBe(cb);
  });
});

describe('device linking: into the signed device list', () => {
  it('the AIK holder signs the next list with the linked device; an agent may not give its device the owner role', async () => {
    const { env, identity, account, owner, keyring, newKeys } = await linkingWorld();
    const ann = await testDevice(env, 'Ann', 'agent');
    const v1 = await createFirstDeviceList(identity, { devices: [owner.entry, ann.entry] }, env);
    const e1 = await startExistingDeviceLink(env, account, ann.keys, ann.entry.agentId); // Ann links her own device
    const n1 = await startNewDeviceLink(env, e1.payload, newKeys, 'pwa');
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const confirm = async (role: 'owner' | 'agent') => {
      const profile = { agentId: ann.entry.agentId, agentName: 'Ann', kind: 'pwa', role } as const;
      const release = (
        await existingDeviceConfirmCode(e2.state, env, { codesMatch: true, profile, self: ann.keys, keyring })
      ).release;
      if (release === undefined) throw new Error('expected a release');
      return release;
    };
    // #17.2: the entry carries the proof of possession the new device signed in its hello, and Ann's device as sponsor.
    await expect(listLinkedDevice(identity, v1, ann.keys.deviceId, await confirm('owner'), env)).rejects.toBeInstanceOf(
      UnauthorisedDeviceError,
    );
    const release = await confirm('agent');
    expect(await verifyProofOfPossession(identity.accountId, release.entry)).toBe(true);
    const v2 = await listLinkedDevice(identity, v1, ann.keys.deviceId, release, env);
    const list = await verifySignedDeviceList(v2, identity.signing.publicKey);
    expect(list.version).toBe(2);
    expect(findDevice(list, release.entry.deviceId)?.agentName).toBe('Ann');
  });

  it('#13.2: the release refuses a profile naming another agent than the QR code (UsageError): the proof signs that agent', async () => {
    const { env, owner, keyring, profile, e1, n1 } = await linkingWorld();
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const other = { ...profile, agentId: new Uint8Array(16).fill(3) };
    await expect(
      existingDeviceConfirmCode(e2.state, env, { codesMatch: true, profile: other, self: owner.keys, keyring }),
    ).rejects.toBeInstanceOf(UsageError);
  });
});

describe('device linking: relay in the middle', () => {
  it('#13.2 linking MITM: a substituted hello makes the codes differ; rejecting aborts with linkingMismatch and releases nothing', async () => {
    const { env, owner, keyring, profile, e1, n1 } = await linkingWorld();
    const mallory = await relayHello(e1.payload);
    const e2 = await existingDeviceReceiveHello(e1.state, env, mallory.hello); // the existing device sees the relay's hello
    const n2 = await newDeviceReceiveOffer(n1.state, env, e2.offer); // the relay forwards the genuine offer
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

  it('#13.2 linking MITM: a substituted offer fails the new device’s commitment check (LinkingMismatchError), state unchanged', async () => {
    const { env, e1, n1 } = await linkingWorld();
    const forged = await relayOffer(e1.state.linkId);
    const before = structuredClone(n1.state);
    const error = await newDeviceReceiveOffer(n1.state, env, forged).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkingMismatchError);
    expect((error as LinkingMismatchError).alert.kind).toBe(ALERT_KINDS.linkingMismatch);
    expect(n1.state.phase).toBe(before.phase);
    // The genuine offer still goes through from the unchanged state.
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e2.offer);
    expect(e2.code).toBe(n2.code);
  });

  it('#13.2 linking MITM: the genuine offer with the relay’s account key in it fails the commitment check', async () => {
    const { env, e1, n1 } = await linkingWorld();
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const relayKey = (await createAccountIdentity(hashSeededEnv('mallory'))).identity.signing.publicKey;
    const swapped = encode(linkOfferCodec, { ...decode(linkOfferCodec, e2.offer), accountKey: relayKey });
    await expect(newDeviceReceiveOffer(n1.state, env, swapped)).rejects.toBeInstanceOf(LinkingMismatchError);
  });

  it('#13.2 linking MITM: the new device’s keys swapped in its hello break its proof of possession (SignatureError), state unchanged', async () => {
    const { env, e1, n1 } = await linkingWorld();
    const relayKeys = await createDeviceKeys(hashSeededEnv('mallory'));
    const swapped = encode(linkHelloCodec, {
      ...decode(linkHelloCodec, n1.hello),
      dhIdentityKey: relayKeys.identityDh.publicKey,
    });
    await expect(existingDeviceReceiveHello(e1.state, env, swapped)).rejects.toBeInstanceOf(SignatureError);
    expect(e1.state.phase).toBe(LINK_PHASES.awaitingHello);
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    expect(e2.code).toMatch(/^\d{6}$/);
  });

  it('linking MITM: the code depends on the committed offer, so the relay cannot choose it', async () => {
    const a = await linkingWorld('grind-1');
    const b = await linkingWorld('grind-2');
    const ea = await existingDeviceReceiveHello(a.e1.state, a.env, a.n1.hello);
    const eb = await existingDeviceReceiveHello(b.e1.state, b.env, b.n1.hello);
    expect(ea.code).not.toBe(eb.code);
  });
});

describe('device linking: bad input and wrong steps (typed error, state unchanged)', () => {
  it('rejects malformed payloads, hellos and offers (DecodeError) and keeps going with the genuine ones', async () => {
    const { env, newKeys, e1, n1 } = await linkingWorld();
    const v3 = new Uint8Array(e1.payload);
    v3[0] = 3;
    await expect(startNewDeviceLink(env, v3, newKeys, 'pwa')).rejects.toBeInstanceOf(DecodeError);
    await expect(startNewDeviceLink(env, e1.payload.subarray(1), newKeys, 'pwa')).rejects.toBeInstanceOf(DecodeError);
    await expect(existingDeviceReceiveHello(e1.state, env, n1.hello.subarray(0, 100))).rejects.toBeInstanceOf(
      DecodeError,
    );
    await expect(existingDeviceReceiveHello(e1.state, env, new Uint8Array([...n1.hello, 0]))).rejects.toBeInstanceOf(
      DecodeError,
    );
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    await expect(newDeviceReceiveOffer(n1.state, env, new Uint8Array(0))).rejects.toBeInstanceOf(DecodeError);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e2.offer);
    expect(e2.code).toBe(n2.code);
  });

  it('rejects a low-order ephemeral key in the hello (InvalidKeyError), state unchanged', async () => {
    const { env, e1, n1 } = await linkingWorld();
    const bad = encode(linkHelloCodec, { ...decode(linkHelloCodec, n1.hello), ephemeralKey: new Uint8Array(32) });
    await expect(existingDeviceReceiveHello(e1.state, env, bad)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(e1.state.phase).toBe(LINK_PHASES.awaitingHello);
    expect((await existingDeviceReceiveHello(e1.state, env, n1.hello)).code).toMatch(/^\d{6}$/);
  });

  it('refuses a new device whose identity key is a low-order point (InvalidKeyError) before showing a code', async () => {
    const { env, newKeys, e1 } = await linkingWorld();
    const bad = { ...newKeys, identityDh: { publicKey: new Uint8Array(32) } };
    const n1 = await startNewDeviceLink(env, e1.payload, bad, 'pwa');
    await expect(existingDeviceReceiveHello(e1.state, env, n1.hello)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('rejects messages of another link attempt (ProtocolStateError)', async () => {
    const { env, e1, n1 } = await linkingWorld();
    const other = encode(linkHelloCodec, { ...decode(linkHelloCodec, n1.hello), linkId: new Uint8Array(16).fill(7) });
    await expect(existingDeviceReceiveHello(e1.state, env, other)).rejects.toBeInstanceOf(ProtocolStateError);
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const otherOffer = encode(linkOfferCodec, {
      ...decode(linkOfferCodec, e2.offer),
      linkId: new Uint8Array(16).fill(7),
    });
    await expect(newDeviceReceiveOffer(n1.state, env, otherOffer)).rejects.toBeInstanceOf(ProtocolStateError);
    const payload = decode(linkPayloadCodec, e1.payload);
    expect(payload.linkId).toEqual(n1.state.linkId);
  });

  it('refuses a hello that names the existing device itself (ProtocolStateError)', async () => {
    const { env, owner, e1 } = await linkingWorld();
    const self = await startNewDeviceLink(env, e1.payload, owner.keys, 'pwa');
    await expect(existingDeviceReceiveHello(e1.state, env, self.hello)).rejects.toBeInstanceOf(ProtocolStateError);
  });

  it('rejects a tampered grant (LinkingMismatchError) and a grant before the user confirmed (ProtocolStateError)', async () => {
    const { env, owner, keyring, profile, e1, n1 } = await linkingWorld();
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e2.offer);
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

  it('#13.2: the new device refuses a grant that lists it under another agent than the QR code named (ProtocolStateError)', async () => {
    const { env, owner, e1, n1 } = await linkingWorld();
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e2.offer);
    const n3 = newDeviceConfirmCode(n2.state, env, true);
    if (e2.state.phase !== LINK_PHASES.awaitingConfirmation) throw new Error('expected awaiting-confirmation');
    // A grant under the genuine channel key whose entry names another agent (the existing device refuses
    // to make one, UsageError above; this checks the new device does not rely on that).
    const entry = { ...owner.entry, ...e2.state.newDevice, agentId: new Uint8Array(16).fill(5) };
    const body = encode(linkGrantBodyCodec, { accountId: e2.state.accountId, entry, archiveGrantCount: 0 });
    const ciphertext = await aesGcmEncrypt(
      e2.state.channelKey,
      e2.state.channelIv,
      body,
      grantAad(e2.state.transcript),
    );
    const grant = encode(linkGrantCodec, { linkId: e2.state.linkId, ciphertext });
    await expect(newDeviceReceiveGrant(n3.state, env, grant)).rejects.toBeInstanceOf(ProtocolStateError);
    expect(n3.state.phase).toBe(LINK_PHASES.confirmed);
  });

  it('refuses steps out of order (ProtocolStateError) and after a cancel (LinkingAbortedError)', async () => {
    const { env, e1, n1 } = await linkingWorld();
    expect(() => newDeviceConfirmCode(n1.state, env, true)).toThrow(ProtocolStateError);
    const cancelled = cancelExistingDeviceLink(e1.state, 'user cancelled');
    expect(cancelled.alerts).toEqual([]);
    await expect(existingDeviceReceiveHello(cancelled.state, env, n1.hello)).rejects.toBeInstanceOf(
      LinkingAbortedError,
    );
  });

  it('#13.2: expires 10 minutes after the start on each device (LinkingAbortedError)', async () => {
    const { env, e1, n1 } = await linkingWorld();
    env.advance(LINKING_LIMITS.ttlMs + 1);
    await expect(existingDeviceReceiveHello(e1.state, env, n1.hello)).rejects.toBeInstanceOf(LinkingAbortedError);
    await expect(newDeviceReceiveOffer(n1.state, env, new Uint8Array(162))).rejects.toBeInstanceOf(LinkingAbortedError);
  });
});
