/**
 * Issue #9 item 1 (F11, PROTOCOL §9.1, §9.5): a device about to be removed plants an inbox archive
 * key on a sibling while it is still listed, so that the sibling keeps sealing history under a key
 * the removed device holds. The attacker is a listed device: it can seal boxes to its siblings with
 * its own device key and choose every byte of the grant payload, including an epoch statement it
 * signs with its own device key (it has no account key). Issue #17 item 8: history records are
 * stored by the relay, which may forge or re-attribute them.
 */
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../shared/crypto/index.js';
import { SignatureError } from '../../shared/errors/index.js';
import {
  acceptArchiveKeyGrant,
  archiveGrantPayloadCodec,
  applyArchiveDeviceList,
  ARCHIVE_GRANT_SCOPES,
  ArchiveKeyPendingError,
  type ArchiveKey,
  type ArchiveKeyring,
  createArchiveEpochKey,
  createArchiveKeyring,
  currentArchiveKey,
  grantArchiveKeys,
  openHistoryRecord,
  ProtocolStateError,
  rotateArchiveOnListChange,
  SEALED_BOX_PURPOSES,
  sealHistoryRecord,
  sealToDevice,
  UnauthorisedDeviceError,
} from '../../shared/protocol/index.js';
import { encode, idEquals } from '../../shared/wire/index.js';
import { ArchiveAccount } from '../support/archive-account.js';
import { hashSeededEnv } from '../support/hash-seeded-env.js';
import { testDevice, type TestDevice } from '../support/test-device.js';

async function world(seed: string) {
  const env = hashSeededEnv(seed);
  const account = await ArchiveAccount.create(env);
  const owner = await testDevice(env, 'Olga', 'owner');
  account.sponsorNewDevicesBy(owner.keys.deviceId);
  const laptop = await testDevice(env, 'Ada');
  const phone = await testDevice(env, 'Ada', 'agent', laptop.entry.agentId);
  await account.start([owner.entry, laptop.entry, phone.entry]);
  const before = account.current;
  const ownersRing = await createArchiveKeyring(env, account.identity, before);
  const grants = await grantArchiveKeys(env, ownersRing, owner.keys, before.devices, ARCHIVE_GRANT_SCOPES.all);
  const ring = async (d: TestDevice): Promise<ArchiveKeyring> => {
    const g = grants.find((x) => idEquals(x.recipientDeviceId, d.entry.deviceId));
    if (g === undefined) throw new RangeError('no grant');
    return (await acceptArchiveKeyGrant(undefined, before, g.sealed, d.keys)).keyring;
  };
  const authorsAt = (epoch: number) => account.lists.find((l) => l.version === epoch)?.devices;
  return {
    env,
    account,
    owner,
    laptop,
    phone,
    before,
    ownersRing,
    authorsAt,
    laptopsRing: await ring(laptop),
    phonesRing: await ring(phone),
  };
}

type World = Awaited<ReturnType<typeof world>>;

/** The phone, still listed, makes a key with the epoch and key id it chose, signs its statement with its own device key, and seals it to the laptop. */
async function plant(w: World, epoch: number, keyId?: Uint8Array) {
  const made = await createArchiveEpochKey(
    w.env,
    { accountId: w.account.accountId, signing: w.phone.keys.signing },
    epoch,
  );
  const planted: ArchiveKey = keyId === undefined ? made : { ...made, keyId };
  const payload = encode(archiveGrantPayloadCodec, { accountId: w.account.accountId, keys: [planted] });
  const sealed = await sealToDevice(w.env, w.phone.keys, w.laptop.entry, SEALED_BOX_PURPOSES.archiveKeys, payload);
  return { planted, sealed };
}

/** The owner removes the phone (list v2) and makes epoch 2; the laptop follows; the laptop seals a record. */
async function removePhoneAndSeal(w: World, laptops: ArchiveKeyring) {
  const after = await w.account.next([w.owner.entry, w.laptop.entry]);
  const rotation = await rotateArchiveOnListChange(w.env, w.account.identity, w.ownersRing, w.owner.keys, after);
  let ring = laptops;
  for (const g of rotation.grants) ring = (await acceptArchiveKeyGrant(ring, after, g.sealed, w.laptop.keys)).keyring;
  const recordId = utf8Encode('c1/after-removal');
  const sealed = await sealHistoryRecord(ring, w.env, w.laptop.keys, recordId, utf8Encode('refund approved'));
  return { after, rotation, laptops: ring, recordId, record: sealed.record };
}

describe('attack: a device about to be removed keeps reading history (#9 item 1, F11)', () => {
  it('#9.1: a key planted several epochs ahead by a device before its removal is never used for sealing after the removal', async () => {
    const w = await world('archive-epoch-ahead');
    const { planted, sealed } = await plant(w, 5);
    // Refused: the key is not signed by the account key; the laptop's keyring is unchanged.
    await expect(acceptArchiveKeyGrant(w.laptopsRing, w.before, sealed, w.laptop.keys)).rejects.toBeInstanceOf(
      SignatureError,
    );
    const { laptops, recordId, record, rotation } = await removePhoneAndSeal(w, w.laptopsRing);
    expect(currentArchiveKey(laptops).epoch).toBe(2);
    expect(currentArchiveKey(laptops).keyId).toEqual(currentArchiveKey(rotation.keyring).keyId);
    // History the laptop seals after the removal does not open with anything the phone holds.
    const phones = { ...w.phonesRing, keys: [...w.phonesRing.keys, planted] };
    await expect(openHistoryRecord(phones, recordId, record, w.authorsAt)).rejects.toThrow(
      new ProtocolStateError('this device holds no archive key for epoch 2'),
    );
    // The laptop and the owner do read it (honest traffic continues).
    expect((await openHistoryRecord(laptops, recordId, record)).plaintext).toEqual(utf8Encode('refund approved'));
    expect((await openHistoryRecord(rotation.keyring, recordId, record)).plaintext).toEqual(
      utf8Encode('refund approved'),
    );
  });

  it('#9.1: a key planted at the next epoch with the largest key id is never used for sealing after the removal', async () => {
    const w = await world('archive-epoch-largest-id');
    const { planted, sealed } = await plant(w, 2, new Uint8Array(16).fill(0xff));
    await expect(acceptArchiveKeyGrant(w.laptopsRing, w.before, sealed, w.laptop.keys)).rejects.toBeInstanceOf(
      SignatureError,
    );
    const { laptops, recordId, record } = await removePhoneAndSeal(w, w.laptopsRing);
    expect(currentArchiveKey(laptops).keyId).not.toEqual(planted.keyId);
    const phones = { ...w.phonesRing, keys: [...w.phonesRing.keys, planted] };
    await expect(openHistoryRecord(phones, recordId, record, w.authorsAt)).rejects.toBeInstanceOf(ProtocolStateError);
  });

  it('#9.1: an account-signed key the phone replays from before its removal is not sealed under after the removal', async () => {
    const w = await world('archive-epoch-replay');
    // The phone forwards epoch 1 (which it legitimately holds) again; nothing changes for the laptop.
    const [again] = await grantArchiveKeys(w.env, w.phonesRing, w.phone.keys, [w.laptop.entry], 'all');
    const replayed = await acceptArchiveKeyGrant(
      w.laptopsRing,
      w.before,
      again?.sealed ?? new Uint8Array(0),
      w.laptop.keys,
    );
    expect(replayed.added).toBe(0);
    const after = await w.account.next([w.owner.entry, w.laptop.entry]);
    // After the removal the phone's grants are refused outright (it is no longer a listed sender) …
    await expect(
      acceptArchiveKeyGrant(replayed.keyring, after, again?.sealed ?? new Uint8Array(0), w.laptop.keys),
    ).rejects.toBeInstanceOf(UnauthorisedDeviceError);
    // … and until the owner's epoch-2 grant arrives, the laptop that has the new list seals nothing.
    const waiting = await applyArchiveDeviceList(replayed.keyring, after);
    await expect(
      sealHistoryRecord(waiting, w.env, w.laptop.keys, utf8Encode('r'), utf8Encode('x')),
    ).rejects.toBeInstanceOf(ArchiveKeyPendingError);
  });
});

describe('attack: forged or re-attributed history records (#17 item 8)', () => {
  it('#17.8: a record forged by the relay, re-attributed to another device, or written by an unlisted device is refused with a typed error', async () => {
    const w = await world('archive-record-author');
    const recordId = utf8Encode('c1/1');
    const { record } = await sealHistoryRecord(w.laptopsRing, w.env, w.laptop.keys, recordId, utf8Encode('hello'));
    const honest = await openHistoryRecord(w.ownersRing, recordId, record);
    expect(honest.author).toEqual(w.laptop.entry.deviceId);
    // Re-attributed: the relay rewrites the author id to the owner device's.
    const authorAt = 2 + 4 + 16; // version, suite, epoch, keyId
    const reattributed = new Uint8Array(record);
    reattributed.set(w.owner.entry.deviceId, authorAt);
    await expect(openHistoryRecord(w.ownersRing, recordId, reattributed)).rejects.toBeInstanceOf(SignatureError);
    // Forged: the relay replaces the ciphertext (or signature) under the laptop's name.
    const forged = new Uint8Array(record);
    forged[authorAt + 16 + 12 + 4] = (forged[authorAt + 16 + 12 + 4] ?? 0) ^ 1;
    await expect(openHistoryRecord(w.ownersRing, recordId, forged)).rejects.toBeInstanceOf(SignatureError);
    // Written by a device that holds the epoch key but is not in the list of that epoch.
    const stranger = await testDevice(w.env, 'Eve');
    const strangersRing = { ...w.laptopsRing, devices: [...w.laptopsRing.devices, stranger.entry] };
    const { record: planted } = await sealHistoryRecord(
      strangersRing,
      w.env,
      stranger.keys,
      recordId,
      utf8Encode('hi'),
    );
    await expect(openHistoryRecord(w.ownersRing, recordId, planted)).rejects.toBeInstanceOf(UnauthorisedDeviceError);
  });
});
