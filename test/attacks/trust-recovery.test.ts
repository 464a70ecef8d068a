/**
 * Issue #17 item 1: a stolen account key must not beat the recovery key (docs/PROTOCOL.md §4.4,
 * §11.3). The thief holds the old AIK and signs whatever it likes; the owner holds the recovery
 * key. Only the recovery key may change the list's recovery-key field, and a recovery-signed
 * rotation wins over everything the old key signed after the list it starts from — whatever order
 * a visitor sees them in. Two rotations from one list are equivocation, with both kept as evidence.
 */
import { describe, expect, it } from 'vitest';
import { ed25519Sign } from '../../shared/crypto/index.js';
import {
  ALERT_KINDS,
  type AccountIdentity,
  createDirectoryView,
  createNextDeviceList,
  createRotatedAccountIdentity,
  createRotation,
  decodeDeviceListBody,
  deviceListHash,
  deriveRecoveryKeys,
  type DeviceList,
  type DirectoryView,
  encodeDeviceListBody,
  encodeSignedRotation,
  EquivocationError,
  generateRecoveryKey,
  IDENTITY_LABELS,
  labelled,
  receiveDeviceList,
  receiveRotation,
  RecoveryKeyChangeError,
  RotationEquivocationError,
  requireAccepted,
  type SignedDeviceList,
  type SignedRotation,
} from '../../shared/protocol/index.js';
import { identityWorld, newMember, type IdentityWorld } from '../support/identity-fixture.js';

/** What a thief holding an account key can sign: any body at all. */
async function signAs(identity: AccountIdentity, list: DeviceList): Promise<SignedDeviceList> {
  const body = encodeDeviceListBody(list);
  return {
    body,
    signature: await ed25519Sign(identity.signing.privateKey, labelled(IDENTITY_LABELS.deviceList, body)),
  };
}

async function accepted(view: DirectoryView, w: IdentityWorld, ...lists: SignedDeviceList[]): Promise<DirectoryView> {
  let state = view;
  for (const list of lists) state = requireAccepted(await receiveDeviceList(state, list, w.env)).state;
  return state;
}

/** The thief's next list after `previous`: a device of its own added, signed with the stolen key. */
async function thiefList(w: IdentityWorld, previous: SignedDeviceList, signer = w.identity): Promise<SignedDeviceList> {
  const rogue = await newMember(w.env, 'Ada Agent', 'agent');
  const prior = decodeDeviceListBody(previous.body);
  return createNextDeviceList(signer, previous, { devices: [...prior.devices, rogue.entry] }, w.env);
}

async function ownerRecovers(
  w: IdentityWorld,
  base: SignedDeviceList,
): Promise<{
  rotation: SignedRotation;
  fresh: AccountIdentity;
  next: SignedDeviceList;
}> {
  const fresh = (await createRotatedAccountIdentity(w.identity.accountId, w.env)).identity;
  const rotation = await createRotation(base, fresh, { kind: 'recovery-key', signing: w.recovery.signing }, w.env);
  const next = await createNextDeviceList(fresh, base, { devices: decodeDeviceListBody(base.body).devices }, w.env);
  return { rotation, fresh, next };
}

describe('attack: a stolen account key against the recovery key (#17.1)', () => {
  it('#17.1: thief first: a visitor that followed the thief’s lists switches to the owner’s recovery rotation (recovery-override alert with evidence) and accepts the owner’s next list', async () => {
    const w = await identityWorld('trust-thief-first');
    const thiefV2 = await thiefList(w, w.v1);
    const thiefV3 = await thiefList(w, thiefV2);
    const view = await accepted(createDirectoryView(w.pin), w, w.v1, thiefV2, thiefV3);
    expect(view.current?.version).toBe(3);

    const owner = await ownerRecovers(w, w.v1);
    const update = await receiveRotation(view, owner.rotation, w.env);
    expect(update.rejected).toBeUndefined();
    expect(update.outcome).toBe('accepted');
    expect(update.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.recoveryOverride]);
    const alert = update.alerts[0];
    expect(alert?.suspects).toEqual([{ kind: 'account-key' }]);
    // The evidence: the recovery rotation and every overridden list the old key signed after the base.
    expect(alert?.evidence).toEqual([
      encodeSignedRotation(owner.rotation),
      thiefV2.body,
      thiefV2.signature,
      thiefV3.body,
      thiefV3.signature,
    ]);
    expect(update.state.accountKey).toEqual(owner.fresh.signing.publicKey);
    expect(update.state.current?.version).toBe(1);
    expect(update.list?.devices).toHaveLength(3);

    // The owner's next list (version 2 under the new key, chaining to the base) is accepted.
    const next = await receiveDeviceList(update.state, owner.next, w.env);
    expect(next.rejected).toBeUndefined();
    expect(next.list?.version).toBe(2);
    expect(next.list?.accountKey).toEqual(owner.fresh.signing.publicKey);
    // The thief's lists are refused from now on.
    const thiefAgain = await receiveDeviceList(next.state, thiefV3, w.env);
    expect(thiefAgain.outcome).toBe('rejected');
  });

  it('#17.1: thief first with its own rotation: the owner’s recovery rotation from the same list wins, with an equivocation alert carrying both rotations', async () => {
    const w = await identityWorld('trust-thief-rotation');
    const view = await accepted(createDirectoryView(w.pin), w, w.v1);
    const thiefKey = (await createRotatedAccountIdentity(w.identity.accountId, w.env)).identity;
    const thiefRotation = await createRotation(w.v1, thiefKey, { kind: 'account-key', identity: w.identity }, w.env);
    const rotatedToThief = requireAccepted(await receiveRotation(view, thiefRotation, w.env)).state;
    const thiefV2 = await thiefList(w, w.v1, thiefKey);
    const followed = await accepted(rotatedToThief, w, thiefV2);
    expect(followed.accountKey).toEqual(thiefKey.signing.publicKey);

    const owner = await ownerRecovers(w, w.v1);
    const update = await receiveRotation(followed, owner.rotation, w.env);
    expect(update.rejected).toBeUndefined();
    expect(update.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.equivocation, ALERT_KINDS.recoveryOverride]);
    expect(update.alerts[0]?.evidence).toEqual([
      encodeSignedRotation(thiefRotation),
      encodeSignedRotation(owner.rotation),
    ]);
    expect(update.state.rotationEvidence).toHaveLength(1);
    expect(update.state.accountKey).toEqual(owner.fresh.signing.publicKey);
    const next = requireAccepted(await receiveDeviceList(update.state, owner.next, w.env));
    expect(next.list?.accountKey).toEqual(owner.fresh.signing.publicKey);
    // The thief's rotation delivered again is refused as equivocation, the view stays with the owner.
    const again = await receiveRotation(next.state, thiefRotation, w.env);
    expect(again.rejected).toBeInstanceOf(EquivocationError);
    expect(again.state.accountKey).toEqual(owner.fresh.signing.publicKey);
  });

  it('#17.1: a list signed by the account key that replaces or drops the recovery key is refused (recovery-key-change)', async () => {
    const w = await identityWorld('trust-recovery-field');
    const view = await accepted(createDirectoryView(w.pin), w, w.v1);
    const v1 = decodeDeviceListBody(w.v1.body);
    const thiefRecovery = await deriveRecoveryKeys(generateRecoveryKey(w.env), w.identity.accountId);
    const withoutRecovery: DeviceList = { ...v1 };
    delete (withoutRecovery as { recoveryKey?: Uint8Array }).recoveryKey;
    const previousHash = await deviceListHash(w.v1.body);
    for (const forged of [
      { ...v1, version: 2, previousHash, recoveryKey: thiefRecovery.signing.publicKey },
      { ...withoutRecovery, version: 2, previousHash },
    ]) {
      const update = await receiveDeviceList(view, await signAs(w.identity, forged), w.env);
      expect(update.rejected).toBeInstanceOf(RecoveryKeyChangeError);
      expect(update.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.recoveryKeyChange]);
      expect(update.state).toBe(view);
    }
    // The owner cannot do it by mistake either: createNextDeviceList refuses without a recovery rotation.
    await expect(
      createNextDeviceList(
        w.identity,
        w.v1,
        { devices: v1.devices, recoveryKey: thiefRecovery.signing.publicKey },
        w.env,
      ),
    ).rejects.toBeInstanceOf(RecoveryKeyChangeError);
  });

  it('#17.1: two different recovery rotations from one list are equivocation; both signed statements are kept', async () => {
    const w = await identityWorld('trust-two-recoveries');
    const view = await accepted(createDirectoryView(w.pin), w, w.v1);
    const first = await ownerRecovers(w, w.v1);
    const second = await ownerRecovers(w, w.v1);
    const switched = requireAccepted(await receiveRotation(view, first.rotation, w.env));
    expect(switched.alerts).toEqual([]);
    const update = await receiveRotation(switched.state, second.rotation, w.env);
    expect(update.rejected).toBeInstanceOf(EquivocationError);
    expect(update.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.equivocation]);
    expect(update.alerts[0]?.evidence).toEqual([
      encodeSignedRotation(first.rotation),
      encodeSignedRotation(second.rotation),
    ]);
    expect(update.state.rotationEvidence.map((e) => [e.first, e.second])).toEqual([[first.rotation, second.rotation]]);
    const error = update.rejected;
    expect(error instanceof RotationEquivocationError && [error.first, error.second]).toEqual([
      first.rotation,
      second.rotation,
    ]);
    expect(update.state.accountKey).toEqual(first.fresh.signing.publicKey);
  });
});
