import { describe, expect, it } from 'vitest';
import { ed25519Sign } from '../../../shared/crypto/index.js';
import { DecodeError, SignatureError, UsageError } from '../../../shared/errors/index.js';
import {
  IDENTITY_LABELS,
  labelled,
  createRotatedAccountIdentity,
  decodeDeviceListBody,
  createNextDeviceList,
  deviceListHash,
  type DirectoryView,
  createDirectoryView,
  receiveDeviceList,
  receiveRotation,
  requireAccepted,
  PinMismatchError,
  ProtocolStateError,
  createRotation,
  deriveRecoveryKeys,
  generateRecoveryKey,
  restoreAccountIdentity,
  wrapIdentityBackup,
  businessFingerprintBytes,
  conversationListOf,
  RollbackError,
} from '../../../shared/protocol/index.js';
import { DIRECTORY_HISTORY } from '../../../shared/protocol/directory/directory-view-state.js';
import { encode } from '../../../shared/wire/index.js';
import {
  decodeRotationStatement,
  decodeSignedRotation,
  encodeSignedRotation,
  rotationStatementCodec,
  type SignedRotation,
} from '../../../shared/protocol/directory/rotation-codec.js';
import { identityWorld, type IdentityWorld } from '../../support/identity-fixture.js';
import { manualClock, seededEnv } from '../../support/seeded-env.js';

async function viewAtV1(w: IdentityWorld): Promise<DirectoryView> {
  return requireAccepted(await receiveDeviceList(createDirectoryView(w.pin), w.v1, w.env)).state;
}

async function expectRotationRejected(
  view: DirectoryView,
  rotation: SignedRotation,
  errorClass: abstract new (...args: never[]) => Error,
  alertKind?: string,
): Promise<void> {
  const before = structuredClone(view);
  const update = await receiveRotation(view, rotation, seededEnv('rotation-rejected', manualClock()));
  expect(update.outcome).toBe('rejected');
  expect(update.rejected).toBeInstanceOf(errorClass);
  expect(update.alerts.map((a) => a.kind)).toEqual(alertKind === undefined ? [] : [alertKind]);
  expect(update.state).toBe(view);
  expect(view).toEqual(before);
}

describe('account key rotation (F18)', () => {
  it('F18: a rotation signed by the old AIK re-pins the view; the next list under the new key is accepted', async () => {
    const w = await identityWorld();
    const view = await viewAtV1(w);
    const fresh = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const rotation = await createRotation(w.v1, fresh.identity, { kind: 'account-key', identity: w.identity }, w.env);
    expect(decodeSignedRotation(encodeSignedRotation(rotation))).toEqual(rotation);
    const rotated = requireAccepted(await receiveRotation(view, rotation, w.env)).state;
    expect(rotated.accountKey).toEqual(fresh.identity.signing.publicKey);
    expect(rotated.pin).toEqual(await businessFingerprintBytes(fresh.identity.signing.publicKey));
    const v2 = await createNextDeviceList(
      fresh.identity,
      w.v1,
      { devices: decodeDeviceListBody(w.v1.body).devices },
      w.env,
    );
    const update = await receiveDeviceList(rotated, v2, w.env);
    expect(update.outcome).toBe('accepted');
    expect(update.list?.accountKey).toEqual(fresh.identity.signing.publicKey);
    // The same rotation again is a no-op.
    expect((await receiveRotation(update.state, rotation, w.env)).outcome).toBe('unchanged');
  });

  it('F18: after the rotation, a list signed by the old AIK is refused (pin-mismatch)', async () => {
    const w = await identityWorld();
    const fresh = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const rotation = await createRotation(w.v1, fresh.identity, { kind: 'account-key', identity: w.identity }, w.env);
    const rotated = requireAccepted(await receiveRotation(await viewAtV1(w), rotation, w.env)).state;
    const oldV2 = await createNextDeviceList(
      w.identity,
      w.v1,
      { devices: decodeDeviceListBody(w.v1.body).devices },
      w.env,
    );
    const update = await receiveDeviceList(rotated, oldV2, w.env);
    expect(update.rejected).toBeInstanceOf(PinMismatchError);
    expect(update.alerts[0]?.kind).toBe('pin-mismatch');
    expect(update.state).toBe(rotated);
  });

  it('F18: every owner device lost: restore from the recovery key, or rotate with a recovery-signed statement', async () => {
    const w = await identityWorld();
    const view = await viewAtV1(w);
    // The owner kept only the recovery key: the derived signing key authorises a new AIK.
    const recovery = await deriveRecoveryKeys(w.recoveryKey, w.identity.accountId);
    const fresh = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const newRecoveryKey = generateRecoveryKey(w.env);
    const newRecovery = await deriveRecoveryKeys(newRecoveryKey, w.identity.accountId);
    const rotation = await createRotation(
      w.v1,
      fresh.identity,
      { kind: 'recovery-key', signing: recovery.signing },
      w.env,
    );
    const rotated = requireAccepted(await receiveRotation(view, rotation, w.env)).state;
    const v2 = await createNextDeviceList(
      fresh.identity,
      w.v1,
      {
        devices: decodeDeviceListBody(w.v1.body).devices,
        recoveryKey: newRecovery.signing.publicKey,
        recoveryRotation: rotation,
      },
      w.env,
    );
    const update = requireAccepted(await receiveDeviceList(rotated, v2, w.env));
    expect(update.list?.recoveryKey).toEqual(newRecovery.signing.publicKey);
    // A new backup of the new AIK under the new recovery key opens; the old blob is for the old key.
    const backup = await wrapIdentityBackup(newRecoveryKey, w.identity.accountId, fresh.seed, w.env);
    expect((await restoreAccountIdentity(newRecoveryKey, w.identity.accountId, backup)).signing.publicKey).toEqual(
      fresh.identity.signing.publicKey,
    );
  });

  it('F18: a rotation signed by a key that is neither the AIK nor the listed recovery key is refused (bad-signature, state unchanged)', async () => {
    const w = await identityWorld();
    const view = await viewAtV1(w);
    const relay = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const relayRecovery = await deriveRecoveryKeys(generateRecoveryKey(w.env), w.identity.accountId);
    const statement = {
      accountId: w.identity.accountId,
      oldAccountKey: w.identity.signing.publicKey,
      newAccountKey: relay.identity.signing.publicKey,
      lastListVersion: 1,
      lastListHash: await deviceListHash(w.v1.body),
      issuedAt: w.clock.now(),
    };
    // The relay moves the account to its own key, signing as "account key" and as "recovery key" with keys it holds.
    for (const [authority, signer] of [
      ['account-key', relay.identity.signing],
      ['recovery-key', relayRecovery.signing],
    ] as const) {
      const body = encode(rotationStatementCodec, { ...statement, authority });
      const forged = {
        body,
        authoritySignature: await ed25519Sign(signer.privateKey, labelled(IDENTITY_LABELS.rotationAuthority, body)),
        newKeySignature: await ed25519Sign(
          relay.identity.signing.privateKey,
          labelled(IDENTITY_LABELS.rotationNewKey, body),
        ),
      };
      await expectRotationRejected(view, forged, SignatureError, 'bad-signature');
    }
    const fresh = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const genuine = await createRotation(w.v1, fresh.identity, { kind: 'account-key', identity: w.identity }, w.env);
    // Signatures swapped between the two roles (label separation), a zero and a short signature.
    await expectRotationRejected(
      view,
      { ...genuine, authoritySignature: genuine.newKeySignature },
      SignatureError,
      'bad-signature',
    );
    await expectRotationRejected(
      view,
      { ...genuine, newKeySignature: genuine.authoritySignature },
      SignatureError,
      'bad-signature',
    );
    await expectRotationRejected(
      view,
      { ...genuine, authoritySignature: new Uint8Array(64) },
      SignatureError,
      'bad-signature',
    );
    await expectRotationRejected(
      view,
      { ...genuine, authoritySignature: genuine.authoritySignature.slice(0, 63) },
      SignatureError,
      'bad-signature',
    );
    // The owner-side helper refuses a recovery key the list does not name.
    await expect(
      createRotation(w.v1, fresh.identity, { kind: 'recovery-key', signing: relayRecovery.signing }, w.env),
    ).rejects.toBeInstanceOf(UsageError);
    // And the genuine one still goes through afterwards.
    expect((await receiveRotation(view, genuine, w.env)).outcome).toBe('accepted');
  });

  it('F18: a rotation that names another list version, or arrives before any list, is a ProtocolStateError', async () => {
    const w = await identityWorld();
    const fresh = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const rotation = await createRotation(w.v1, fresh.identity, { kind: 'account-key', identity: w.identity }, w.env);
    await expectRotationRejected(createDirectoryView(w.pin), rotation, ProtocolStateError);
    const v2 = await createNextDeviceList(
      w.identity,
      w.v1,
      { devices: decodeDeviceListBody(w.v1.body).devices },
      w.env,
    );
    const atV2 = requireAccepted(await receiveDeviceList(await viewAtV1(w), v2, w.env)).state;
    await expectRotationRejected(atV2, rotation, ProtocolStateError);
  });

  it('F18: a rotation of another account is refused; a malformed one is a DecodeError', async () => {
    const w = await identityWorld();
    const other = await identityWorld('other-account');
    const otherFresh = await createRotatedAccountIdentity(other.identity.accountId, other.env);
    const otherRotation = await createRotation(
      other.v1,
      otherFresh.identity,
      { kind: 'account-key', identity: other.identity },
      other.env,
    );
    const view = await viewAtV1(w);
    // It starts from the other account's list, which is not a link of this view (#17.1: the base is looked up first).
    await expectRotationRejected(view, otherRotation, ProtocolStateError);
    const fresh = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const rotation = await createRotation(w.v1, fresh.identity, { kind: 'account-key', identity: w.identity }, w.env);
    // This account's AIK and new key sign a statement naming another account id: pin mismatch.
    const statement = decodeRotationStatement(rotation.body);
    const body = encode(rotationStatementCodec, { ...statement, accountId: other.identity.accountId });
    const misdirected = {
      body,
      authoritySignature: await ed25519Sign(
        w.identity.signing.privateKey,
        labelled(IDENTITY_LABELS.rotationAuthority, body),
      ),
      newKeySignature: await ed25519Sign(
        fresh.identity.signing.privateKey,
        labelled(IDENTITY_LABELS.rotationNewKey, body),
      ),
    };
    await expectRotationRejected(view, misdirected, PinMismatchError, 'pin-mismatch');
    await expectRotationRejected(view, { ...rotation, body: rotation.body.slice(0, -1) }, DecodeError);
    await expectRotationRejected(view, { ...rotation, body: Uint8Array.from([...rotation.body, 0]) }, DecodeError);
  });
});

describe('recovery rotations against a stolen account key (#17.1)', () => {
  it('#17.1: a recovery rotation from a list before the last recovery is refused (rollback): an old recovery key cannot undo a later recovery', async () => {
    const w = await identityWorld('recovery-rollback');
    const v2 = await createNextDeviceList(
      w.identity,
      w.v1,
      { devices: decodeDeviceListBody(w.v1.body).devices },
      w.env,
    );
    let view = requireAccepted(await receiveDeviceList(await viewAtV1(w), v2, w.env)).state;
    const fresh = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const fromV2 = await createRotation(
      v2,
      fresh.identity,
      { kind: 'recovery-key', signing: w.recovery.signing },
      w.env,
    );
    view = requireAccepted(await receiveRotation(view, fromV2, w.env)).state;
    const other = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const fromV1 = await createRotation(
      w.v1,
      other.identity,
      { kind: 'recovery-key', signing: w.recovery.signing },
      w.env,
    );
    const update = await receiveRotation(view, fromV1, w.env);
    expect(update.rejected).toBeInstanceOf(RollbackError);
    expect(update.alerts.map((a) => a.kind)).toEqual(['rollback']);
    expect(update.state).toBe(view);
  });

  it('#17.1: a recovery rotation from a list older than the kept bodies leaves no current list until the owner’s next one', async () => {
    const w = await identityWorld('recovery-deep');
    let view = await viewAtV1(w);
    let previous = w.v1;
    for (let i = 0; i < DIRECTORY_HISTORY + 1; i++) {
      previous = await createNextDeviceList(
        w.identity,
        previous,
        { devices: decodeDeviceListBody(w.v1.body).devices },
        w.env,
      );
      view = requireAccepted(await receiveDeviceList(view, previous, w.env)).state;
    }
    const fresh = await createRotatedAccountIdentity(w.identity.accountId, w.env);
    const rotation = await createRotation(
      w.v1,
      fresh.identity,
      { kind: 'recovery-key', signing: w.recovery.signing },
      w.env,
    );
    const update = requireAccepted(await receiveRotation(view, rotation, w.env));
    expect(update.alerts.map((a) => a.kind)).toEqual(['recovery-override']);
    expect(update.state.current).toBeUndefined();
    expect(() => conversationListOf(update.state)).toThrow(ProtocolStateError);
    const next = await createNextDeviceList(
      fresh.identity,
      w.v1,
      { devices: decodeDeviceListBody(w.v1.body).devices },
      w.env,
    );
    const after = requireAccepted(await receiveDeviceList(update.state, next, w.env));
    expect(conversationListOf(after.state).version).toBe(2);
  });
});
