/**
 * Security brief §4 "linking channel man-in-the-middle (codes differ, linking aborted)". The new
 * device's QR code (account id, link id, commitment to its keys) travels out of band, screen to
 * camera; the offer, the reveal and the grant travel through the relay. A relay in the middle
 * either breaks the commitment (refused at once) or makes the two screens show different codes;
 * the user says so, both sides abort with the linking-mismatch alert, and nothing is released.
 */
import { describe, expect, it } from 'vitest';
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
  existingDeviceReceiveReveal,
  startExistingDeviceLink,
  LinkingMismatchError,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startNewDeviceLink,
  LINK_PHASES,
  linkRevealCodec,
} from '../../shared/protocol/index.js';
import { flipBit } from '../support/attacker.js';
import { x25519KeyPairFromSeed } from '../../shared/crypto/index.js';
import { encode } from '../../shared/wire/index.js';
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
  const n1 = await startNewDeviceLink(newEnv, account.accountId, newKeys);
  const e1 = await startExistingDeviceLink(owner.env, n1.payload, account, owner.keys);
  const n2 = await newDeviceReceiveOffer(n1.state, newEnv, e1.offer);
  const e2 = await existingDeviceReceiveReveal(e1.state, owner.env, n2.reveal);
  expect(n2.code).toBe(e2.code);
  const n3 = newDeviceConfirmCode(n2.state, newEnv, true);
  const keyring = createArchiveKeyring(owner.env, account.accountId);
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
  const proofOfPossession = await proveDevicePossession(newKeys, account.accountId, profile.agentId);
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

describe('attack: linking channel man-in-the-middle (security brief §4)', () => {
  it('F10: a relay that answers the QR code with its own offer makes the codes differ; both sides abort and nothing is released', async () => {
    const f = await setup('link-mitm-offer');
    const { world, owner, account, newEnv, newKeys } = f;
    const n1 = await startNewDeviceLink(newEnv, account.accountId, newKeys);
    const e1 = await startExistingDeviceLink(owner.env, n1.payload, account, owner.keys); // genuine offer, swallowed
    // The relay cannot read the QR code's secret parts (there are none it could use): it sends its own offer.
    const relayKeys = await createDeviceKeys(world.newEnv('attacker'));
    const relay = await startExistingDeviceLink(world.newEnv('attacker'), n1.payload, account, relayKeys);
    const n2 = await newDeviceReceiveOffer(n1.state, newEnv, relay.offer);
    const e2 = await existingDeviceReceiveReveal(e1.state, owner.env, n2.reveal); // the genuine reveal, forwarded
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

  it('F10: a reveal substituted by the relay does not match the QR commitment (linking-mismatch alert, state unchanged)', async () => {
    const f = await setup('link-mitm-reveal');
    const { world, owner, account, newEnv, newKeys } = f;
    const n1 = await startNewDeviceLink(newEnv, account.accountId, newKeys);
    const e1 = await startExistingDeviceLink(owner.env, n1.payload, account, owner.keys);
    // The relay's own keys in a well-formed reveal for the genuine link id (seen in the offer).
    const attackerEnv = world.newEnv('attacker');
    const relayKeys = await createDeviceKeys(attackerEnv);
    const relayEphemeral = await x25519KeyPairFromSeed(attackerEnv.rng(32));
    const forgedReveal = encode(linkRevealCodec, {
      linkId: n1.state.linkId,
      ephemeralKey: relayEphemeral.publicKey,
      nonce: attackerEnv.rng(32),
      deviceId: relayKeys.deviceId,
      signingKey: relayKeys.signing.publicKey,
      dhIdentityKey: relayKeys.identityDh.publicKey,
    });
    const before = snapshot(e1.state);
    const error = await existingDeviceReceiveReveal(e1.state, owner.env, forgedReveal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LinkingMismatchError);
    if (error instanceof LinkingMismatchError) expect(error.alert.kind).toBe(ALERT_KINDS.linkingMismatch);
    expect(snapshot(e1.state)).toBe(before);
    // The genuine reveal still completes the same attempt.
    const n2 = await newDeviceReceiveOffer(n1.state, newEnv, e1.offer);
    const e2 = await existingDeviceReceiveReveal(e1.state, owner.env, n2.reveal);
    expect(e2.code).toBe(n2.code);
  });

  it('F10: a grant altered in transit is refused by the new device (linking-mismatch), which stays unlinked', async () => {
    const f = await setup('link-mitm-grant');
    const { owner, account, newEnv, newKeys, profile } = f;
    const n1 = await startNewDeviceLink(newEnv, account.accountId, newKeys);
    const e1 = await startExistingDeviceLink(owner.env, n1.payload, account, owner.keys);
    const n2 = await newDeviceReceiveOffer(n1.state, newEnv, e1.offer);
    const e2 = await existingDeviceReceiveReveal(e1.state, owner.env, n2.reveal);
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
