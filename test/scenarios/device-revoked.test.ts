/**
 * Story: an agent's laptop is lost. The owner revokes it: a new signed device list without it,
 * and the inbox archive key rotates to a new epoch sealed only to the remaining devices (F10,
 * F11). The lost laptop can still read what it already held, but nothing written after the
 * revocation, and it can no longer hand out archive keys. (docs/PROTOCOL.md §9.5.)
 * Message fan-out to revoked devices is covered by the session layer's tests.
 */
import { describe, expect, it } from 'vitest';
import {
  createAccountIdentity,
  ARCHIVE_GRANT_SCOPES,
  acceptArchiveKeyGrant,
  archiveDeviceSetChanged,
  createArchiveEpochKey,
  grantArchiveKeys,
  rotateArchiveOnListChange,
  type ArchiveKeyring,
  createArchiveKeyring,
  currentArchiveKey,
  openHistoryRecord,
  sealHistoryRecord,
  createFirstDeviceList,
  createNextDeviceList,
  verifySignedDeviceList,
  applyChange,
  authoriseChange,
  ProtocolStateError,
  UnauthorisedDeviceError,
} from '../../shared/protocol/index.js';
import { idEquals, idToHex } from '../../shared/wire/index.js';
import { hashSeededEnv } from '../support/hash-seeded-env.js';
import { bindAccount } from '../support/account-binding.js';
import { testDevice } from '../support/test-device.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('story: a device is revoked', () => {
  it('F11: the revoked device cannot open the new archive epoch, and the remaining ones can', async () => {
    const env = hashSeededEnv('story-revoked');
    const { identity } = await createAccountIdentity(env);
    const { accountId } = identity;
    const accountKey = identity.signing.publicKey;
    bindAccount(env, { accountId });
    const owner = await testDevice(env, 'Olga', 'owner');
    const carlLaptop = await testDevice(env, 'Carl');
    const carlPhone = await testDevice(env, 'Carl', 'agent', carlLaptop.entry.agentId);
    const bea = await testDevice(env, 'Bea');
    const v1 = await createFirstDeviceList(
      identity,
      { devices: [owner.entry, carlLaptop.entry, carlPhone.entry, bea.entry] },
      env,
    );
    const list1 = await verifySignedDeviceList(v1, accountKey);

    let ownersRing: ArchiveKeyring = await createArchiveKeyring(env, identity, list1);
    const rings = new Map<string, ArchiveKeyring>();
    const holders = [carlLaptop, carlPhone, bea];
    for (const g of await grantArchiveKeys(env, ownersRing, owner.keys, list1.devices, ARCHIVE_GRANT_SCOPES.all)) {
      const holder = holders.find((h) => idEquals(h.keys.deviceId, g.recipientDeviceId));
      if (holder === undefined) throw new Error('grant for an unknown device');
      rings.set(
        idToHex(holder.keys.deviceId),
        (await acceptArchiveKeyGrant(undefined, list1, g.sealed, holder.keys)).keyring,
      );
    }
    const ring = (d: typeof bea): ArchiveKeyring => {
      const r = rings.get(idToHex(d.keys.deviceId));
      if (r === undefined) throw new Error('no keyring');
      return r;
    };
    const before = await sealHistoryRecord(ownersRing, env, owner.keys, text('c1/1'), text('before the loss'));
    ownersRing = before.keyring;

    // Carl reports his laptop lost; the owner revokes it.
    const change = { kind: 'remove-device', deviceId: carlLaptop.keys.deviceId } as const;
    authoriseChange(list1, owner.keys.deviceId, change);
    const applied = applyChange(list1, change);
    expect(applied.removed.map((d) => d.deviceId)).toEqual([carlLaptop.keys.deviceId]);
    const v2 = await createNextDeviceList(identity, v1, { devices: applied.devices }, env);
    const list2 = await verifySignedDeviceList(v2, accountKey);
    expect(archiveDeviceSetChanged(list1.devices, list2.devices)).toBe(true);
    const authorsAt = (epoch: number) => [list1, list2].find((l) => l.version === epoch)?.devices;

    const rotation = await rotateArchiveOnListChange(env, identity, ownersRing, owner.keys, list2);
    ownersRing = rotation.keyring;
    expect(currentArchiveKey(ownersRing).epoch).toBe(2);
    expect(rotation.grants.some((g) => idEquals(g.recipientDeviceId, carlLaptop.keys.deviceId))).toBe(false);
    for (const g of rotation.grants) {
      const holder = [carlPhone, bea].find((h) => idEquals(h.keys.deviceId, g.recipientDeviceId));
      if (holder === undefined) throw new Error('grant for a device outside the new list');
      rings.set(
        idToHex(holder.keys.deviceId),
        (await acceptArchiveKeyGrant(ring(holder), list2, g.sealed, holder.keys)).keyring,
      );
      // A relay handing the laptop someone else's grant gets nothing out of it.
      await expect(acceptArchiveKeyGrant(ring(carlLaptop), list1, g.sealed, carlLaptop.keys)).rejects.toBeInstanceOf(
        ProtocolStateError,
      );
    }

    const after = await sealHistoryRecord(ownersRing, env, owner.keys, text('c1/2'), text('after the revocation'));
    // Remaining devices read both epochs.
    for (const d of [carlPhone, bea]) {
      expect(read((await openHistoryRecord(ring(d), text('c1/1'), before.record, authorsAt)).plaintext)).toBe(
        'before the loss',
      );
      expect(read((await openHistoryRecord(ring(d), text('c1/2'), after.record)).plaintext)).toBe(
        'after the revocation',
      );
    }
    // The lost laptop still opens what it already held, but not the new epoch.
    expect(read((await openHistoryRecord(ring(carlLaptop), text('c1/1'), before.record)).plaintext)).toBe(
      'before the loss',
    );
    await expect(openHistoryRecord(ring(carlLaptop), text('c1/2'), after.record, authorsAt)).rejects.toThrow(
      'this device holds no archive key for epoch 2',
    );

    // The laptop can no longer push archive keys of its own choosing to the others.
    const rogueKey = await createArchiveEpochKey(env, { accountId, signing: carlLaptop.keys.signing }, 3);
    const rogueRing = {
      ...ring(carlLaptop),
      keys: [...ring(carlLaptop).keys, rogueKey],
      changeVersion: 3,
      listVersion: 3,
    };
    const [rogue] = await grantArchiveKeys(env, rogueRing, carlLaptop.keys, [bea.entry], ARCHIVE_GRANT_SCOPES.current);
    await expect(
      acceptArchiveKeyGrant(ring(bea), list2, rogue?.sealed ?? new Uint8Array(0), bea.keys),
    ).rejects.toBeInstanceOf(UnauthorisedDeviceError);
    expect(currentArchiveKey(ring(bea)).epoch).toBe(2);
  });
});
