/**
 * Security brief §4 "linking channel man-in-the-middle (codes differ, linking aborted)"; issue #13
 * item 2. The existing device's QR code (account id, agent id, link id, commitment to its offer)
 * travels out of band, screen to camera; the hello, the offer and the grant travel through the
 * relay. A relay in the middle either breaks the commitment or the new device's proof of
 * possession (refused at once) or makes the two screens show different codes; the user says so,
 * both sides abort with the linking-mismatch alert, and nothing is released.
 */
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../shared/errors/index.js';
import {
  ALERT_KINDS,
  createArchiveKeyring,
  createDeviceKeys,
  proveDevicePossession,
  type DeviceKeys,
  applyChange,
  authoriseChange,
  createNextDeviceList,
  receiveDeviceList,
  LinkingAbortedError,
  existingDeviceConfirmCode,
  existingDeviceReceiveHello,
  startExistingDeviceLink,
  LinkingMismatchError,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startNewDeviceLink,
  LINK_PHASES,
  linkHelloCodec,
  linkOfferCodec,
} from '../../shared/protocol/index.js';
import { flipBit } from '../support/attacker.js';
import { x25519KeyPairFromSeed } from '../../shared/crypto/index.js';
import { decode, encode } from '../../shared/wire/index.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { snapshot } from '../support/state-snapshot.js';

async function setup(seed: string) {
  const world = await ProtocolWorld.create(seed);
  const owner = world.device('owner');
  const account = { accountId: world.account.accountId, accountKey: world.account.signing.publicKey };
  const newEnv = world.newEnv('new-device');
  const newKeys = await createDeviceKeys(newEnv);
  const profile = {
    agentId: world.currentList.devices[0]?.agentId ?? new Uint8Array(16),
    agentName: 'Olivia',
    kind: 'pwa',
    role: 'owner',
  } as const;
  return { world, owner, account, newEnv, newKeys, profile };
}

/** The honest link, end to end: codes match, the grant opens, the AIK signs the new device in. */
async function honestLink(f: Awaited<ReturnType<typeof setup>>, newKeys: DeviceKeys): Promise<void> {
  const { world, owner, account, newEnv, profile } = f;
  const e1 = await startExistingDeviceLink(owner.env, account, owner.keys, profile.agentId);
  const n1 = await startNewDeviceLink(newEnv, e1.payload, newKeys, 'pwa');
  const e2 = await existingDeviceReceiveHello(e1.state, owner.env, n1.hello);
  const n2 = await newDeviceReceiveOffer(n1.state, newEnv, e2.offer);
  expect(n2.code).toBe(e2.code);
  const n3 = newDeviceConfirmCode(n2.state, newEnv, true);
  const keyring = await createArchiveKeyring(owner.env, world.account, world.currentList);
  const e3 = await existingDeviceConfirmCode(e2.state, owner.env, {
    codesMatch: true,
    profile,
    self: owner.keys,
    keyring,
  });
  if (e3.release === undefined) throw new RangeError('nothing released');
  const n4 = await newDeviceReceiveGrant(n3.state, newEnv, e3.release.grant);
  expect(n4.state.phase).toBe(LINK_PHASES.linked);
  // #17.2: the linked device signs its proof of possession once it knows its agent (from the grant).
  const proofOfPossession = await proveDevicePossession(newKeys, account.accountId, profile.agentId, profile.kind);
  const change = { kind: 'add-device' as const, device: { ...e3.release.entry, proofOfPossession } };
  authoriseChange(world.currentList, owner.keys.deviceId, change);
  const next = await createNextDeviceList(
    world.account,
    world.currentSigned,
    { devices: applyChange(world.currentList, change).devices },
    owner.env,
  );
  const update = await receiveDeviceList(owner.view, next, owner.env);
  expect(update.outcome).toBe('accepted');
  expect(update.list?.devices.map((d) => d.deviceId)).toContainEqual(newKeys.deviceId);
}

describe('attack: linking channel man-in-the-middle (security brief §4, issue #13 item 2)', () => {
  it('#13.2 F10: a relay that answers the QR code with its own hello makes the codes differ; both sides abort and nothing is released', async () => {
    const f = await setup('link-mitm-hello');
    const { world, owner, account, newEnv, newKeys } = f;
    const e1 = await startExistingDeviceLink(owner.env, account, owner.keys, f.profile.agentId);
    const n1 = await startNewDeviceLink(newEnv, e1.payload, newKeys, 'pwa'); // genuine hello, swallowed
    // Worst case: the relay has a photo of the QR code too. It sends a hello with its own keys
    // (and a valid proof of possession of them) before it has seen anything of the offer.
    const relayEnv = world.newEnv('attacker');
    const relay = await startNewDeviceLink(relayEnv, e1.payload, await createDeviceKeys(relayEnv), 'pwa');
    const e2 = await existingDeviceReceiveHello(e1.state, owner.env, relay.hello);
    const n2 = await newDeviceReceiveOffer(n1.state, newEnv, e2.offer); // the genuine offer, forwarded
    expect(n2.code).not.toBe(e2.code); // what the two real screens show

    const eAbort = await existingDeviceConfirmCode(e2.state, owner.env, { codesMatch: false });
    expect(eAbort.release).toBeUndefined();
    expect(eAbort.state.phase).toBe(LINK_PHASES.aborted);
    expect(eAbort.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.linkingMismatch]);
    const nAbort = newDeviceConfirmCode(n2.state, newEnv, false);
    expect(nAbort.state.phase).toBe(LINK_PHASES.aborted);
    expect(nAbort.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.linkingMismatch]);
    // An aborted attempt stays aborted: nothing can be released from it afterwards.
    await expect(
      existingDeviceConfirmCode(eAbort.state, owner.env, {
        codesMatch: true,
        profile: f.profile,
        self: owner.keys,
        keyring: undefined,
      }),
    ).rejects.toBeInstanceOf(LinkingAbortedError);

    await honestLink(f, await createDeviceKeys(world.newEnv('new-device-2')));
  });

  it('#13.2 F10: an offer substituted by the relay does not match the QR commitment (linking-mismatch alert, state unchanged)', async () => {
    const f = await setup('link-mitm-offer');
    const { world, owner, account, newEnv, newKeys } = f;
    const e1 = await startExistingDeviceLink(owner.env, account, owner.keys, f.profile.agentId);
    const n1 = await startNewDeviceLink(newEnv, e1.payload, newKeys, 'pwa');
    // The relay's own account key and ephemeral key in a well-formed offer for the genuine link id.
    const attackerEnv = world.newEnv('attacker');
    const relayKeys = await createDeviceKeys(attackerEnv);
    const relayEphemeral = await x25519KeyPairFromSeed(attackerEnv.rng(32));
    const forgedOffer = encode(linkOfferCodec, {
      linkId: e1.state.linkId,
      accountKey: relayKeys.signing.publicKey,
      deviceId: relayKeys.deviceId,
      signingKey: relayKeys.signing.publicKey,
      ephemeralKey: relayEphemeral.publicKey,
      nonce: attackerEnv.rng(32),
    });
    const before = snapshot(n1.state);
    const error = await newDeviceReceiveOffer(n1.state, newEnv, forgedOffer).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LinkingMismatchError);
    if (error instanceof LinkingMismatchError) expect(error.alert.kind).toBe(ALERT_KINDS.linkingMismatch);
    expect(snapshot(n1.state)).toBe(before);
    // The genuine offer still completes the same attempt.
    const e2 = await existingDeviceReceiveHello(e1.state, owner.env, n1.hello);
    const n2 = await newDeviceReceiveOffer(n1.state, newEnv, e2.offer);
    expect(e2.code).toBe(n2.code);
    if (n2.state.phase !== LINK_PHASES.awaitingConfirmation) throw new Error('expected awaiting-confirmation');
    expect(n2.state.accountKey).toEqual(account.accountKey);
  });

  it('#13.2 F10: a hello whose keys the relay swapped fails the proof of possession (SignatureError, state unchanged)', async () => {
    const f = await setup('link-mitm-pop');
    const { world, owner, account, newEnv, newKeys } = f;
    const e1 = await startExistingDeviceLink(owner.env, account, owner.keys, f.profile.agentId);
    const n1 = await startNewDeviceLink(newEnv, e1.payload, newKeys, 'pwa');
    const relayKeys = await createDeviceKeys(world.newEnv('attacker'));
    const swapped = encode(linkHelloCodec, {
      ...decode(linkHelloCodec, n1.hello),
      signingKey: relayKeys.signing.publicKey,
    });
    const before = snapshot(e1.state);
    await expect(existingDeviceReceiveHello(e1.state, owner.env, swapped)).rejects.toBeInstanceOf(SignatureError);
    expect(snapshot(e1.state)).toBe(before);
  });

  it('F10: a grant altered in transit is refused by the new device (linking-mismatch), which stays unlinked', async () => {
    const f = await setup('link-mitm-grant');
    const { owner, account, newEnv, newKeys, profile } = f;
    const e1 = await startExistingDeviceLink(owner.env, account, owner.keys, profile.agentId);
    const n1 = await startNewDeviceLink(newEnv, e1.payload, newKeys, 'pwa');
    const e2 = await existingDeviceReceiveHello(e1.state, owner.env, n1.hello);
    const n2 = await newDeviceReceiveOffer(n1.state, newEnv, e2.offer);
    const n3 = newDeviceConfirmCode(n2.state, newEnv, true);
    const e3 = await existingDeviceConfirmCode(e2.state, owner.env, {
      codesMatch: true,
      profile,
      self: owner.keys,
      keyring: undefined,
    });
    if (e3.release === undefined) throw new RangeError('nothing released');
    const before = snapshot(n3.state);
    await expect(newDeviceReceiveGrant(n3.state, newEnv, flipBit(e3.release.grant, -3))).rejects.toBeInstanceOf(
      LinkingMismatchError,
    );
    expect(snapshot(n3.state)).toBe(before);
    expect(n3.state.phase).toBe(LINK_PHASES.confirmed);
    const n4 = await newDeviceReceiveGrant(n3.state, newEnv, e3.release.grant);
    expect(n4.state.phase).toBe(LINK_PHASES.linked);
  });
});
