import { describe, expect, it } from 'vitest';
import { DecodeError, DecryptError, LimitError, SignatureError, UsageError } from '../../../shared/errors/index.js';
import { ARCHIVE_LIMITS } from '../../../shared/protocol/archive/archive-codec.js';
import { mergeArchiveKeys } from '../../../shared/protocol/archive/archive-keyring.js';
import {
  ARCHIVE_GRANT_SCOPES,
  acceptArchiveKeyGrant,
  applyArchiveDeviceList,
  ArchiveKeyPendingError,
  archiveDeviceSetChanged,
  type ArchiveDeviceList,
  type ArchiveKeyring,
  createArchiveEpochKey,
  createArchiveKeyring,
  createRotatedAccountIdentity,
  currentArchiveKey,
  grantArchiveKeys,
  openHistoryRecord,
  ProtocolStateError,
  rotateArchiveOnListChange,
  sealHistoryRecord,
  startArchiveKeyring,
  UnauthorisedDeviceError,
} from '../../../shared/protocol/index.js';
import { asAccountId, idEquals } from '../../../shared/wire/index.js';
import { ArchiveAccount } from '../../support/archive-account.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';
import { testDevice, type TestDevice } from '../../support/test-device.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (b: { plaintext: Uint8Array }): string => new TextDecoder().decode(b.plaintext);

async function team(seed = 'archive') {
  const env = hashSeededEnv(seed);
  const account = await ArchiveAccount.create(env);
  const owner = await testDevice(env, 'Olga', 'owner');
  account.sponsorNewDevicesBy(owner.keys.deviceId);
  const bea = await testDevice(env, 'Bea');
  const carl = await testDevice(env, 'Carl');
  const carlPhone = await testDevice(env, 'Carl', 'agent', carl.entry.agentId);
  await account.start([owner.entry, bea.entry, carl.entry]);
  const keyring = await createArchiveKeyring(env, account.identity, account.current);
  const accountId = account.accountId;
  return { env, account, accountId, owner, bea, carl, carlPhone, keyring };
}

/** `d`'s keyring from the owner's grant of every epoch, following `list`. */
async function ringOf(
  t: Awaited<ReturnType<typeof team>>,
  d: TestDevice,
  list: ArchiveDeviceList = t.account.current,
  from: ArchiveKeyring = t.keyring,
): Promise<ArchiveKeyring> {
  const [grant] = await grantArchiveKeys(t.env, from, t.owner.keys, [d.entry], ARCHIVE_GRANT_SCOPES.all);
  return (await acceptArchiveKeyGrant(undefined, list, grant?.sealed ?? new Uint8Array(0), d.keys)).keyring;
}

describe('archive records', () => {
  it('seal and open under the current key; the usage count goes up; the input keyring is not mutated', async () => {
    const { env, owner, keyring } = await team();
    const before = structuredClone(keyring);
    const { keyring: next, record } = await sealHistoryRecord(keyring, env, owner.keys, text('c1/1'), text('hello'));
    expect(keyring).toEqual(before);
    expect(next.usageCount).toBe(1);
    const opened = await openHistoryRecord(next, text('c1/1'), record);
    expect(read(opened)).toBe('hello');
    expect(opened.author).toEqual(owner.entry.deviceId);
  });

  it('uses a random IV: one plaintext sealed twice gives different records', async () => {
    const { env, owner, keyring } = await team();
    const a = await sealHistoryRecord(keyring, env, owner.keys, text('r'), text('same'));
    const b = await sealHistoryRecord(a.keyring, env, owner.keys, text('r'), text('same'));
    expect(a.record).not.toEqual(b.record);
  });

  it('binds the record id: a record moved to another slot does not open (SignatureError)', async () => {
    const { env, owner, keyring } = await team();
    const { record } = await sealHistoryRecord(keyring, env, owner.keys, text('c1/1'), text('refund approved'));
    await expect(openHistoryRecord(keyring, text('c1/2'), record)).rejects.toBeInstanceOf(SignatureError);
  });

  it('derives the record key once per epoch key, but again when its bytes change (no stale key opens a record)', async () => {
    const { env, owner, keyring } = await team();
    const { record } = await sealHistoryRecord(keyring, env, owner.keys, text('r'), text('kept'));
    expect(read(await openHistoryRecord(keyring, text('r'), record))).toBe('kept');
    // The same epoch key object, its key bytes changed: the derived key of the old bytes must not be used.
    const bytes = currentArchiveKey(keyring).key;
    bytes.set([(bytes[0] ?? 0) ^ 1]);
    await expect(openHistoryRecord(keyring, text('r'), record)).rejects.toBeInstanceOf(DecryptError);
  });

  it('rejects a tampered record (SignatureError), a truncated one and an unknown version (DecodeError)', async () => {
    const { env, owner, keyring } = await team();
    const { record } = await sealHistoryRecord(keyring, env, owner.keys, text('r'), text('note'));
    const flipped = new Uint8Array(record);
    flipped[flipped.length - 70] = (flipped[flipped.length - 70] ?? 0) ^ 1;
    await expect(openHistoryRecord(keyring, text('r'), flipped)).rejects.toBeInstanceOf(SignatureError);
    await expect(openHistoryRecord(keyring, text('r'), record.subarray(0, 20))).rejects.toBeInstanceOf(DecodeError);
    const v3 = new Uint8Array(record);
    v3[0] = 3;
    await expect(openHistoryRecord(keyring, text('r'), v3)).rejects.toBeInstanceOf(DecodeError);
  });

  it('F15: stops at the per-device usage cap (LimitError) until the owner makes a new epoch', async () => {
    const { env, account, owner, keyring } = await team();
    const worn: ArchiveKeyring = {
      ...keyring,
      usageKeyId: currentArchiveKey(keyring).keyId,
      usageCount: ARCHIVE_LIMITS.maxRecordsPerKeyPerDevice,
    };
    await expect(sealHistoryRecord(worn, env, owner.keys, text('r'), text('x'))).rejects.toBeInstanceOf(LimitError);
    // The owner re-signs the list (same devices) and asks for a new epoch.
    const resigned = await account.next(account.current.devices);
    const rotated = await rotateArchiveOnListChange(env, account.identity, worn, owner.keys, resigned, {
      newEpoch: true,
    });
    expect(currentArchiveKey(rotated.keyring).epoch).toBe(resigned.version);
    const { keyring: after } = await sealHistoryRecord(rotated.keyring, env, owner.keys, text('r'), text('x'));
    expect(after.usageCount).toBe(1);
  });

  it('refuses oversized records and record ids (LimitError)', async () => {
    const { env, owner, keyring } = await team();
    await expect(sealHistoryRecord(keyring, env, owner.keys, new Uint8Array(65), text('x'))).rejects.toBeInstanceOf(
      LimitError,
    );
    await expect(
      sealHistoryRecord(
        keyring,
        env,
        owner.keys,
        text('r'),
        new Uint8Array(ARCHIVE_LIMITS.maxRecordPlaintextBytes + 1),
      ),
    ).rejects.toBeInstanceOf(LimitError);
  });

  it('#17.8: a device outside the verified list cannot seal; a record of an epoch whose list the reader lacks is refused', async () => {
    const t = await team();
    await expect(sealHistoryRecord(t.keyring, t.env, t.carlPhone.keys, text('r'), text('x'))).rejects.toBeInstanceOf(
      UnauthorisedDeviceError,
    );
    const { record } = await sealHistoryRecord(t.keyring, t.env, t.owner.keys, text('r'), text('epoch one'));
    // Bea joins the account's next epoch (Carl removed); epoch 1 records need list 1 to check their author.
    const list2 = await t.account.next([t.owner.entry, t.bea.entry]);
    const rotation = await rotateArchiveOnListChange(t.env, t.account.identity, t.keyring, t.owner.keys, list2);
    await expect(openHistoryRecord(rotation.keyring, text('r'), record)).rejects.toThrow(
      new ProtocolStateError("no verified device list of version 1 to check the record's author"),
    );
    const authorsAt = (e: number) => t.account.lists.find((l) => l.version === e)?.devices;
    expect(read(await openHistoryRecord(rotation.keyring, text('r'), record, authorsAt))).toBe('epoch one');
    // Listed at epoch 1 is what counts: a list without the author refuses the record.
    await expect(openHistoryRecord(rotation.keyring, text('r'), record, () => [t.bea.entry])).rejects.toBeInstanceOf(
      UnauthorisedDeviceError,
    );
  });
});

describe('archive key distribution', () => {
  it('grants every epoch to a device; the device then reads history of all epochs', async () => {
    const t = await team();
    const old = await sealHistoryRecord(t.keyring, t.env, t.owner.keys, text('old'), text('epoch one'));
    const list2 = await t.account.next([t.owner.entry, t.bea.entry]);
    const rotated = await rotateArchiveOnListChange(t.env, t.account.identity, old.keyring, t.owner.keys, list2);
    const fresh = await sealHistoryRecord(rotated.keyring, t.env, t.owner.keys, text('new'), text('epoch two'));
    const grants = await grantArchiveKeys(t.env, fresh.keyring, t.owner.keys, [t.bea.entry], ARCHIVE_GRANT_SCOPES.all);
    expect(grants).toHaveLength(1);
    const { keyring: beas, added } = await acceptArchiveKeyGrant(
      undefined,
      list2,
      grants[0]?.sealed ?? new Uint8Array(0),
      t.bea.keys,
    );
    expect(added).toBe(2);
    const authorsAt = (e: number) => t.account.lists.find((l) => l.version === e)?.devices;
    expect(read(await openHistoryRecord(beas, text('old'), old.record, authorsAt))).toBe('epoch one');
    expect(read(await openHistoryRecord(beas, text('new'), fresh.record))).toBe('epoch two');
  });

  it('skips the sender, and splits many epochs into several grants', async () => {
    const t = await team();
    // 130 epochs: a list of version 200 (as the archive sees it) and account-signed keys 1..130.
    const list200: ArchiveDeviceList = { ...t.account.current, version: 200 };
    const keys = [];
    for (let epoch = 1; epoch <= ARCHIVE_LIMITS.maxKeysPerGrant + 2; epoch++)
      keys.push(await createArchiveEpochKey(t.env, t.account.identity, epoch));
    const keyring = (await mergeArchiveKeys(startArchiveKeyring(list200), t.accountId, keys)).keyring;
    const grants = await grantArchiveKeys(
      t.env,
      keyring,
      t.owner.keys,
      [t.owner.entry, t.bea.entry],
      ARCHIVE_GRANT_SCOPES.all,
    );
    expect(grants).toHaveLength(2);
    expect(grants.every((g) => idEquals(g.recipientDeviceId, t.bea.entry.deviceId))).toBe(true);
    let beas: ArchiveKeyring | undefined;
    for (const g of grants) beas = (await acceptArchiveKeyGrant(beas, list200, g.sealed, t.bea.keys)).keyring;
    expect(beas?.keys).toHaveLength(keyring.keys.length);
  });

  it('accepting a grant again changes nothing; another account-signed key for a held epoch is refused', async () => {
    const t = await team();
    const [grant] = await grantArchiveKeys(t.env, t.keyring, t.owner.keys, [t.bea.entry], ARCHIVE_GRANT_SCOPES.current);
    const sealed = grant?.sealed ?? new Uint8Array(0);
    const first = await acceptArchiveKeyGrant(undefined, t.account.current, sealed, t.bea.keys);
    const again = await acceptArchiveKeyGrant(first.keyring, t.account.current, sealed, t.bea.keys);
    expect(again.added).toBe(0);
    const second = await createArchiveEpochKey(t.env, t.account.identity, 1);
    await expect(mergeArchiveKeys(first.keyring, t.accountId, [second])).rejects.toBeInstanceOf(ProtocolStateError);
  });

  it('a refused grant leaves the receiving keyring unchanged', async () => {
    const t = await team();
    const beas = await ringOf(t, t.bea);
    const snapshot = structuredClone(beas);
    const [forCarl] = await grantArchiveKeys(
      t.env,
      t.keyring,
      t.owner.keys,
      [t.carl.entry],
      ARCHIVE_GRANT_SCOPES.current,
    );
    await expect(
      acceptArchiveKeyGrant(beas, t.account.current, forCarl?.sealed ?? new Uint8Array(0), t.bea.keys),
    ).rejects.toBeInstanceOf(ProtocolStateError);
    const [mine] = await grantArchiveKeys(t.env, t.keyring, t.owner.keys, [t.bea.entry], ARCHIVE_GRANT_SCOPES.current);
    const truncated = (mine?.sealed ?? new Uint8Array(0)).subarray(0, 50);
    await expect(acceptArchiveKeyGrant(beas, t.account.current, truncated, t.bea.keys)).rejects.toBeInstanceOf(
      DecodeError,
    );
    expect(beas).toEqual(snapshot);
  });

  it('refuses grants from unlisted senders, for another account, or addressed to another device', async () => {
    const t = await team();
    const [grant] = await grantArchiveKeys(t.env, t.keyring, t.owner.keys, [t.bea.entry], ARCHIVE_GRANT_SCOPES.current);
    const sealed = grant?.sealed ?? new Uint8Array(0);
    const withoutOwner = { ...t.account.current, devices: [t.bea.entry, t.carl.entry] };
    await expect(acceptArchiveKeyGrant(undefined, withoutOwner, sealed, t.bea.keys)).rejects.toBeInstanceOf(
      UnauthorisedDeviceError,
    );
    const otherAccount = { ...t.account.current, accountId: asAccountId(new Uint8Array(16)) };
    await expect(acceptArchiveKeyGrant(undefined, otherAccount, sealed, t.bea.keys)).rejects.toBeInstanceOf(
      ProtocolStateError,
    );
    await expect(acceptArchiveKeyGrant(undefined, t.account.current, sealed, t.carl.keys)).rejects.toBeInstanceOf(
      ProtocolStateError,
    );
  });
});

describe('archive epochs belong to the account key (#9 item 1)', () => {
  it('#9.1: a key not signed by the account key, or with its epoch, key id or key bytes altered, is refused (SignatureError)', async () => {
    const t = await team();
    const beas = await ringOf(t, t.bea);
    const byDevice = await createArchiveEpochKey(t.env, { accountId: t.accountId, signing: t.carl.keys.signing }, 1);
    const honest = await createArchiveEpochKey(t.env, t.account.identity, 1);
    const altered = [
      byDevice,
      { ...honest, epoch: 2 },
      { ...honest, keyId: new Uint8Array(16).fill(0xff) },
      { ...honest, key: new Uint8Array(32).fill(7) },
      { ...honest, signature: new Uint8Array(64) },
    ];
    const fresh = startArchiveKeyring(t.account.current);
    for (const key of altered) {
      await expect(mergeArchiveKeys(fresh, t.accountId, [key])).rejects.toBeInstanceOf(SignatureError);
      await expect(mergeArchiveKeys(beas, t.accountId, [key])).rejects.toBeInstanceOf(SignatureError);
    }
  });

  it('#9.1: a key for an epoch newer than the verified list is held back, never sealed under, until that list arrives', async () => {
    const t = await team();
    const list1 = t.account.current;
    const beas = await ringOf(t, t.bea);
    const list2 = await t.account.next([t.owner.entry, t.bea.entry]);
    const rotation = await rotateArchiveOnListChange(t.env, t.account.identity, t.keyring, t.owner.keys, list2);
    const grant = rotation.grants.find((g) => idEquals(g.recipientDeviceId, t.bea.entry.deviceId));
    // Bea still holds list 1: the epoch-2 key waits; she seals under epoch 1 (list 1 is all she knows).
    const early = await acceptArchiveKeyGrant(beas, list1, grant?.sealed ?? new Uint8Array(0), t.bea.keys);
    expect(early.keyring.pending.map((k) => k.epoch)).toEqual([2]);
    expect(currentArchiveKey(early.keyring).epoch).toBe(1);
    // List 2 arrives: epoch 2 is current.
    const following = await applyArchiveDeviceList(early.keyring, list2);
    expect(following.pending).toHaveLength(0);
    expect(currentArchiveKey(following).epoch).toBe(2);
  });

  it('#9.1: after a list that changes the device set, sealing waits for that epoch’s key; the older key is not used', async () => {
    const t = await team();
    const beas = await ringOf(t, t.bea);
    const list2 = await t.account.next([t.owner.entry, t.bea.entry]);
    const waiting = await applyArchiveDeviceList(beas, list2);
    expect(() => currentArchiveKey(waiting)).toThrow(ArchiveKeyPendingError);
    await expect(sealHistoryRecord(waiting, t.env, t.bea.keys, text('r'), text('x'))).rejects.toBeInstanceOf(
      ArchiveKeyPendingError,
    );
    await expect(
      grantArchiveKeys(t.env, waiting, t.bea.keys, [t.owner.entry], ARCHIVE_GRANT_SCOPES.current),
    ).rejects.toBeInstanceOf(ArchiveKeyPendingError);
    // A list re-signed without a change of devices keeps the current epoch.
    const t2 = await team('archive-resign');
    const beas2 = await ringOf(t2, t2.bea);
    const resigned = await t2.account.next(t2.account.current.devices);
    const same = await applyArchiveDeviceList(beas2, resigned);
    expect(same.changeVersion).toBe(1);
    expect(currentArchiveKey(same).epoch).toBe(1);
  });

  it('#9.1: a list that skips versions and changes the device set is refused (apply every link); an unchanged set may skip', async () => {
    const t = await team();
    const beas = await ringOf(t, t.bea);
    const snapshot = structuredClone(beas);
    await t.account.next([t.owner.entry, t.bea.entry]);
    const list3 = await t.account.next([t.owner.entry, t.bea.entry]);
    await expect(applyArchiveDeviceList(beas, list3)).rejects.toBeInstanceOf(ProtocolStateError);
    expect(beas).toEqual(snapshot);
    await t.account.next(t.account.current.devices);
    const t2 = await team('archive-skip-unchanged');
    const ring2 = await ringOf(t2, t2.bea);
    await t2.account.next(t2.account.current.devices);
    const v3 = await t2.account.next(t2.account.current.devices);
    expect(currentArchiveKey(await applyArchiveDeviceList(ring2, v3)).epoch).toBe(1);
  });

  it('#9.1: after an account key rotation, a key for a later epoch signed by the old account key is refused', async () => {
    const t = await team();
    const beas = await ringOf(t, t.bea);
    const { identity: rotatedIdentity } = await createRotatedAccountIdentity(t.accountId, t.env);
    // List 2 (as the archive sees it after the directory verified the rotation) is signed by the new key.
    const list2: ArchiveDeviceList = {
      ...t.account.current,
      version: 2,
      accountKey: rotatedIdentity.signing.publicKey,
    };
    const following = await applyArchiveDeviceList(beas, list2);
    const byOldKey = await createArchiveEpochKey(t.env, t.account.identity, 2);
    await expect(mergeArchiveKeys(following, t.accountId, [byOldKey])).rejects.toBeInstanceOf(SignatureError);
    const byNewKey = await createArchiveEpochKey(t.env, rotatedIdentity, 2);
    const merged = (await mergeArchiveKeys(following, t.accountId, [byNewKey])).keyring;
    expect(currentArchiveKey(merged).epoch).toBe(2);
    // Epoch 1 stays checked under the key that signed list 1.
    expect(merged.keys.map((k) => k.epoch)).toEqual([1, 2]);
  });
});

describe('archive grants follow the keyring’s list (#9 item 1)', () => {
  it('#9.1: a grant checked against a list older than the keyring’s, or another list of its version, is refused: a removed sender stays removed', async () => {
    const t = await team();
    const list1 = t.account.current;
    const carls = await ringOf(t, t.carl);
    const list2 = await t.account.next([t.owner.entry, t.carl.entry]);
    const following = await applyArchiveDeviceList(carls, list2);
    // Bea (removed by list 2) forwards epoch 1; a caller passing the stale list 1 must not let it in.
    const beas = await ringOf(t, t.bea, list1);
    const [fromBea] = await grantArchiveKeys(t.env, beas, t.bea.keys, [t.carl.entry], ARCHIVE_GRANT_SCOPES.all);
    await expect(
      acceptArchiveKeyGrant(following, list1, fromBea?.sealed ?? new Uint8Array(0), t.carl.keys),
    ).rejects.toBeInstanceOf(ProtocolStateError);
    const forged = { ...list2, devices: [...list2.devices, t.bea.entry] };
    await expect(
      acceptArchiveKeyGrant(following, forged, fromBea?.sealed ?? new Uint8Array(0), t.carl.keys),
    ).rejects.toBeInstanceOf(ProtocolStateError);
  });

  it('#17.8: a device cannot seal under a signing key other than the one listed for it', async () => {
    const t = await team();
    const impostor = { deviceId: t.bea.keys.deviceId, signing: t.carl.keys.signing };
    await expect(sealHistoryRecord(t.keyring, t.env, impostor, text('r'), text('x'))).rejects.toBeInstanceOf(
      UnauthorisedDeviceError,
    );
  });
});

describe('starting a keyring (#9 item 1)', () => {
  it('#9.1: a device whose first verified list was only re-signed starts at the newest device-set change of the earlier links it verified', async () => {
    const t = await team();
    const list1 = t.account.current;
    const list2 = await t.account.next(list1.devices);
    const list3 = await t.account.next(list1.devices);
    const [grant] = await grantArchiveKeys(t.env, t.keyring, t.owner.keys, [t.bea.entry], ARCHIVE_GRANT_SCOPES.all);
    const sealed = grant?.sealed ?? new Uint8Array(0);
    // Without the earlier links the device cannot tell: it waits for an epoch-3 key.
    const alone = (await acceptArchiveKeyGrant(undefined, list3, sealed, t.bea.keys)).keyring;
    expect(() => currentArchiveKey(alone)).toThrow(ArchiveKeyPendingError);
    // With them, epoch 1 is current (lists 2 and 3 kept the set).
    const withChain = (
      await acceptArchiveKeyGrant(undefined, list3, sealed, t.bea.keys, { earlierLists: [list1, list2] })
    ).keyring;
    expect(withChain.changeVersion).toBe(1);
    expect(currentArchiveKey(withChain).epoch).toBe(1);
    // A gap in the links given is taken as a change at the newer side of the gap.
    const gap = (await acceptArchiveKeyGrant(undefined, list3, sealed, t.bea.keys, { earlierLists: [list1] })).keyring;
    expect(gap.changeVersion).toBe(3);
  });
});

describe('archive rotation (F11)', () => {
  it('F11: adding or removing a device (or changing its keys) changes the device set; a re-signed list does not', async () => {
    const { owner, bea, carl, carlPhone } = await team();
    const all = [owner.entry, bea.entry, carl.entry, carlPhone.entry];
    expect(archiveDeviceSetChanged(all, [owner.entry, carl.entry, carlPhone.entry])).toBe(true);
    expect(archiveDeviceSetChanged(all, [owner.entry, bea.entry])).toBe(true);
    expect(archiveDeviceSetChanged([owner.entry], all)).toBe(true);
    expect(archiveDeviceSetChanged(all, [...all].reverse())).toBe(false);
    const rekeyed = { ...bea.entry, dhIdentityKey: carlPhone.entry.dhIdentityKey };
    expect(archiveDeviceSetChanged([owner.entry, bea.entry], [owner.entry, rekeyed])).toBe(true);
  });

  it('F11: on removal the key rotates to the epoch of the new list, granted only to the remaining devices', async () => {
    const t = await team();
    const carls = await ringOf(t, t.carl);
    const after = await t.account.next([t.owner.entry, t.carl.entry]);
    const result = await rotateArchiveOnListChange(t.env, t.account.identity, t.keyring, t.owner.keys, after);
    expect(result.rotated).toBe(true);
    expect(currentArchiveKey(result.keyring).epoch).toBe(2);
    expect(result.keyring.keys.map((k) => k.epoch)).toEqual([1, 2]);
    expect(result.grants.map((g) => g.recipientDeviceId)).toEqual([t.carl.entry.deviceId]);
    const next = (await acceptArchiveKeyGrant(carls, after, result.grants[0]?.sealed ?? new Uint8Array(0), t.carl.keys))
      .keyring;
    expect(next.keys.map((k) => k.epoch)).toEqual([1, 2]);
    expect(currentArchiveKey(next).epoch).toBe(2);
  });

  it('F11: the removed device cannot open the new epoch: no grant for it, and the others’ grants refuse it', async () => {
    const t = await team();
    const beas = await ringOf(t, t.bea);
    const after = await t.account.next([t.owner.entry, t.carl.entry]);
    const result = await rotateArchiveOnListChange(t.env, t.account.identity, t.keyring, t.owner.keys, after);
    expect(result.grants.some((g) => idEquals(g.recipientDeviceId, t.bea.entry.deviceId))).toBe(false);
    for (const g of result.grants) {
      await expect(
        acceptArchiveKeyGrant(beas, t.account.lists[0] ?? after, g.sealed, t.bea.keys),
      ).rejects.toBeInstanceOf(ProtocolStateError);
    }
    const secret = await sealHistoryRecord(result.keyring, t.env, t.owner.keys, text('after'), text('after removal'));
    await expect(openHistoryRecord(beas, text('after'), secret.record, () => after.devices)).rejects.toBeInstanceOf(
      ProtocolStateError,
    );
  });

  it('F11: no new epoch without a change; a sender outside the new list or a list of another account key is refused', async () => {
    const t = await team();
    const resigned = await t.account.next(t.account.current.devices);
    const same = await rotateArchiveOnListChange(t.env, t.account.identity, t.keyring, t.owner.keys, resigned);
    expect(same.rotated).toBe(false);
    expect(same.grants).toHaveLength(0);
    expect(same.keyring.listVersion).toBe(resigned.version);
    const without = await t.account.next([t.owner.entry, t.bea.entry]);
    await expect(
      rotateArchiveOnListChange(t.env, t.account.identity, same.keyring, t.carl.keys, without),
    ).rejects.toBeInstanceOf(ProtocolStateError);
    const { identity: stranger } = await createRotatedAccountIdentity(t.accountId, t.env);
    await expect(
      rotateArchiveOnListChange(t.env, stranger, same.keyring, t.owner.keys, without),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
