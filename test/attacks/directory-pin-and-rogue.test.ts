/**
 * Security brief §4 "pin mismatch" and "rogue device in an unsigned or wrongly signed list"
 * (F1, F10): the relay serves device lists of its own making. The visitor's directory view
 * trusts only the business fingerprint pinned in the embed snippet, so it refuses every such
 * list with a named alert, encrypts nothing to the rogue device, and still starts an honest
 * conversation once the genuine list is served.
 */
import { describe, expect, it } from 'vitest';
import { ed25519Sign } from '../../shared/crypto/index.js';
import { SignatureError } from '../../shared/errors/index.js';
import {
  ALERT_KINDS,
  createFirstDeviceList,
  createDirectoryView,
  receiveDeviceList,
  PinMismatchError,
  IDENTITY_LABELS,
  labelled,
  type SignedDeviceList,
} from '../../shared/protocol/index.js';
import { idEquals } from '../../shared/wire/index.js';
import { attackerAccount, rogueDevice, withRogueDevice } from '../support/attacker.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { bindAccount } from '../support/account-binding.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { snapshot } from '../support/state-snapshot.js';
import { WorldConversation } from '../support/world-conversation.js';

async function expectRefused(
  world: ProtocolWorld,
  forged: SignedDeviceList,
  errorClass: typeof PinMismatchError | typeof SignatureError,
  alertKind: string,
): Promise<void> {
  const view = createDirectoryView(world.pin);
  const before = snapshot(view);
  const update = await receiveDeviceList(view, forged, world.newEnv('visitor'));
  expect(update.outcome).toBe('rejected');
  expect(update.rejected).toBeInstanceOf(errorClass);
  expect(update.alerts.map((a) => a.kind)).toEqual([alertKind]);
  expect(update.state).toBe(view); // state unchanged: nothing of the forged list is trusted
  expect(snapshot(view)).toBe(before);
  expect(update.list).toBeUndefined();
}

async function honestAfterwards(world: ProtocolWorld, tag: string): Promise<void> {
  world.relay.deviceListHook = undefined;
  const convo = await WorldConversation.start(world, `visitor-${tag}`);
  await expectHonestRoundTrip(convo, tag);
}

describe('attack: pin mismatch (security brief §4)', () => {
  it('F1: a device list signed by the relay’s own account key is refused with a pin-mismatch alert', async () => {
    const world = await ProtocolWorld.create('pin-mismatch');
    const env = world.newEnv('attacker');
    const attacker = await attackerAccount(env);
    const rogue = await rogueDevice(bindAccount(world.newEnv('attacker-device'), { accountId: attacker.accountId }));
    const fake = await createFirstDeviceList(attacker, { devices: [{ ...rogue.entry, role: 'owner' }] }, env);
    world.relay.deviceListHook = () => fake;

    await expectRefused(world, fake, PinMismatchError, ALERT_KINDS.pinMismatch);
    // The widget refuses to start: no session (and so no ciphertext) exists for the relay's device.
    await expect(WorldConversation.start(world, 'visitor')).rejects.toBeInstanceOf(PinMismatchError);
    expect(world.relay.recorded).toHaveLength(0);
    await honestAfterwards(world, 'after-pin-mismatch');
  });

  it('F1: a list of another account, served after the genuine one, is refused with a pin-mismatch alert', async () => {
    const world = await ProtocolWorld.create('pin-mismatch-swap');
    const { view } = await world.visitorView('visitor');
    const env = world.newEnv('attacker');
    const attacker = await attackerAccount(env);
    const rogue = await rogueDevice(bindAccount(world.newEnv('attacker-device'), { accountId: attacker.accountId }));
    const fake = await createFirstDeviceList(attacker, { devices: [{ ...rogue.entry, role: 'owner' }] }, env);
    const update = await receiveDeviceList(view, fake, env);
    expect(update.rejected).toBeInstanceOf(PinMismatchError);
    expect(update.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.pinMismatch]);
    expect(update.state).toBe(view);
    expect(update.list?.devices.some((d) => idEquals(d.deviceId, rogue.keys.deviceId))).toBe(false);
    await honestAfterwards(world, 'after-account-swap');
  });
});

describe('attack: rogue device in an unsigned or wrongly signed list (security brief §4)', () => {
  it('F10: a rogue device appended to the signed list breaks the AIK signature (bad-signature alert)', async () => {
    const world = await ProtocolWorld.create('rogue-appended');
    const rogue = await rogueDevice(world.newEnv('attacker'));
    const forged = withRogueDevice(world.currentSigned, rogue.entry);
    world.relay.deviceListHook = () => forged;
    await expectRefused(world, forged, SignatureError, ALERT_KINDS.badSignature);
    await expect(WorldConversation.start(world, 'visitor')).rejects.toBeInstanceOf(SignatureError);
    await honestAfterwards(world, 'after-rogue-appended');
  });

  it('F10: a list with the rogue device and no signature (64 zero bytes) is refused (bad-signature alert)', async () => {
    const world = await ProtocolWorld.create('rogue-unsigned');
    const rogue = await rogueDevice(world.newEnv('attacker'));
    const forged = { ...withRogueDevice(world.currentSigned, rogue.entry), signature: new Uint8Array(64) };
    await expectRefused(world, forged, SignatureError, ALERT_KINDS.badSignature);
    await honestAfterwards(world, 'after-rogue-unsigned');
  });

  it('F10: a list signed by a device key instead of the account key is refused (bad-signature alert)', async () => {
    const world = await ProtocolWorld.create('rogue-device-signed');
    const rogue = await rogueDevice(world.newEnv('attacker'));
    const { body } = withRogueDevice(world.currentSigned, rogue.entry);
    const forged = {
      body,
      signature: await ed25519Sign(rogue.keys.signing.privateKey, labelled(IDENTITY_LABELS.deviceList, body)),
    };
    await expectRefused(world, forged, SignatureError, ALERT_KINDS.badSignature);
    await honestAfterwards(world, 'after-rogue-device-signed');
  });
});
