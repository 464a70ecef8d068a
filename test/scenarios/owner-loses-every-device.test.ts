/**
 * Story: the owner's only laptop, which held the account identity key (AIK), is stolen. With the
 * recovery key written down at sign-up (shown once), the owner restores the account on a new
 * device, revokes the stolen one, and moves the account to a new AIK with a rotation signed by
 * the recovery key. A visitor widget that pinned the old business fingerprint follows the
 * rotation; the thief, who holds the old AIK, can no longer get a device into the visitor's view.
 * (Security brief F10, F18; docs/PROTOCOL.md §4.4, §11.)
 */
import { describe, expect, it } from 'vitest';
import { wipe } from '../../shared/crypto/index.js';
import {
  createAccountIdentity,
  createRotatedAccountIdentity,
  createDeviceKeys,
  deviceEntryOf,
  newAgentId,
  applyChange,
  decodeDeviceListBody,
  createFirstDeviceList,
  createNextDeviceList,
  findDevice,
  createDirectoryView,
  receiveDeviceList,
  receiveRotation,
  requireAccepted,
  PinMismatchError,
  EquivocationError,
  deriveRecoveryKeys,
  formatRecoveryKey,
  generateRecoveryKey,
  parseRecoveryKey,
  restoreAccountIdentity,
  wrapIdentityBackup,
  createRotation,
  businessFingerprint,
} from '../../shared/protocol/index.js';
import { manualClock, seededEnv } from '../support/seeded-env.js';

describe('story: the owner loses every device', () => {
  it('F18: recovery key restores the account, revokes the stolen laptop and rotates the AIK; the visitor follows, the thief is shut out', async () => {
    const clock = manualClock();
    const env = seededEnv('story-owner-loses-every-device', clock);

    // Sign-up: AIK, recovery key shown once, AIK seed wrapped under it and stored at the service.
    const created = await createAccountIdentity(env);
    const { accountId } = created.identity;
    const recoveryKey = generateRecoveryKey(env);
    const shownOnce = await formatRecoveryKey(recoveryKey);
    const recovery = await deriveRecoveryKeys(recoveryKey, accountId);
    const storedBackup = await wrapIdentityBackup(recoveryKey, accountId, created.seed, env);
    wipe(created.seed);
    wipe(recoveryKey);
    const ownerId = newAgentId(env);
    const laptop = await createDeviceKeys(env);
    const agent = await createDeviceKeys(env);
    const v1 = await createFirstDeviceList(
      created.identity,
      {
        devices: [
          await deviceEntryOf(
            laptop,
            { agentId: ownerId, agentName: 'Olga Owner', kind: 'extension', role: 'owner' },
            accountId,
          ),
          await deviceEntryOf(
            agent,
            { agentId: newAgentId(env), agentName: 'Bea Agent', kind: 'pwa', role: 'agent' },
            accountId,
            laptop.deviceId,
          ),
        ],
        recoveryKey: recovery.signing.publicKey,
      },
      env,
    );
    const snippetPin = await businessFingerprint(created.identity.signing.publicKey);
    let visitor = requireAccepted(await receiveDeviceList(createDirectoryView(snippetPin), v1, env)).state;

    // The laptop is stolen; the thief now holds the old AIK. The owner has a new phone and the paper.
    clock.advance(3_600_000);
    const typed = await parseRecoveryKey(shownOnce.toUpperCase());
    const restored = await restoreAccountIdentity(typed, accountId, storedBackup);
    expect(restored.signing.publicKey).toEqual(created.identity.signing.publicKey);
    const phone = await createDeviceKeys(env);
    const list1 = decodeDeviceListBody(v1.body);
    const withoutLaptop = applyChange(list1, { kind: 'remove-device', deviceId: laptop.deviceId });
    // The restored AIK holder adds the owner's new phone directly: an owner device that sponsors itself (§4.2).
    const phoneEntry = await deviceEntryOf(
      phone,
      { agentId: ownerId, agentName: 'Olga Owner', kind: 'pwa', role: 'owner' },
      accountId,
    );
    const v2 = await createNextDeviceList(restored, v1, { devices: [...withoutLaptop.devices, phoneEntry] }, env);
    visitor = requireAccepted(await receiveDeviceList(visitor, v2, env)).state;
    expect(visitor.current && findDevice(visitor.current, laptop.deviceId)).toBeUndefined();

    // The old AIK must be assumed stolen too: move to a new AIK, authorised by the recovery key.
    const recoveryAgain = await deriveRecoveryKeys(typed, accountId);
    const fresh = await createRotatedAccountIdentity(accountId, env);
    const newRecoveryKey = generateRecoveryKey(env);
    const newRecovery = await deriveRecoveryKeys(newRecoveryKey, accountId);
    const rotation = await createRotation(
      v2,
      fresh.identity,
      { kind: 'recovery-key', signing: recoveryAgain.signing },
      env,
    );
    const v3 = await createNextDeviceList(
      fresh.identity,
      v2,
      {
        devices: decodeDeviceListBody(v2.body).devices,
        recoveryKey: newRecovery.signing.publicKey,
        recoveryRotation: rotation,
      },
      env,
    );
    const newBackup = await wrapIdentityBackup(newRecoveryKey, accountId, fresh.seed, env);
    expect(newBackup).not.toEqual(storedBackup);

    // Meanwhile the thief signs a v3 with the old AIK that adds a device of theirs.
    const thiefDevice = await createDeviceKeys(env);
    const thiefV3 = await createNextDeviceList(
      created.identity,
      v2,
      {
        devices: [
          ...decodeDeviceListBody(v2.body).devices,
          await deviceEntryOf(
            thiefDevice,
            { agentId: newAgentId(env), agentName: 'Support', kind: 'extension', role: 'agent' },
            accountId,
            phone.deviceId,
          ),
        ],
      },
      env,
    );

    // The visitor applies the rotation and the owner's v3; the thief's v3 is refused.
    visitor = requireAccepted(await receiveRotation(visitor, rotation, env)).state;
    const rejected = await receiveDeviceList(visitor, thiefV3, env);
    expect(rejected.rejected).toBeInstanceOf(PinMismatchError);
    expect(rejected.alerts.map((a) => a.kind)).toEqual(['pin-mismatch']);
    const accepted = requireAccepted(await receiveDeviceList(visitor, v3, env));
    expect(accepted.list?.version).toBe(3);
    expect(accepted.list && findDevice(accepted.list, thiefDevice.deviceId)).toBeUndefined();
    expect(accepted.state.pin).toEqual(
      createDirectoryView(await businessFingerprint(fresh.identity.signing.publicKey)).pin,
    );

    // A second rotation by the thief from the same list, signed with the old AIK, is equivocation (#17.1): refused, both kept.
    const thiefKey = await createRotatedAccountIdentity(accountId, env);
    const thiefRotation = await createRotation(
      v2,
      thiefKey.identity,
      { kind: 'account-key', identity: created.identity },
      env,
    );
    const thiefUpdate = await receiveRotation(accepted.state, thiefRotation, env);
    expect(thiefUpdate.rejected).toBeInstanceOf(EquivocationError);
    expect(thiefUpdate.state.accountKey).toEqual(fresh.identity.signing.publicKey);
    expect(thiefUpdate.state.rotationEvidence).toHaveLength(1);
  });
});
