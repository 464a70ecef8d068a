/**
 * Story: an owner links a new phone months after the inbox started. The owner's extension shows a
 * QR code, the phone scans it, both show the same 6-digit code, the owner confirms. The
 * phone ends up in the next signed device list, receives every archive epoch sealed to its own
 * key, and reads history written before it existed — including history from before a rotation
 * and records written by another agent's device. (docs/PROTOCOL.md §9, §10; security brief §3.)
 */
import { describe, expect, it } from 'vitest';
import {
  createAccountIdentity,
  ARCHIVE_GRANT_SCOPES,
  acceptArchiveKeyGrant,
  currentArchiveKey,
  grantArchiveKeys,
  rotateArchiveOnListChange,
  type ArchiveKeyring,
  createArchiveKeyring,
  openHistoryRecord,
  sealHistoryRecord,
  createDeviceKeys,
  createFirstDeviceList,
  createNextDeviceList,
  findDevice,
  verifySignedDeviceList,
  applyChange,
  authoriseChange,
  existingDeviceConfirmCode,
  existingDeviceReceiveHello,
  startExistingDeviceLink,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startNewDeviceLink,
  listLinkedDevice,
  LINK_PHASES,
} from '../../shared/protocol/index.js';
import { idEquals } from '../../shared/wire/index.js';
import { hashSeededEnv } from '../support/hash-seeded-env.js';
import { bindAccount } from '../support/account-binding.js';
import { testDevice } from '../support/test-device.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The relay: it only carries bytes (here, untouched). */
const relay = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);

describe('story: a device linked later reads the inbox history', () => {
  it('links through QR + matching codes, joins the signed list, and opens history of every epoch', async () => {
    const env = hashSeededEnv('story-linked-later');
    const { identity } = await createAccountIdentity(env);
    const accountId = identity.accountId;
    const accountKey = identity.signing.publicKey;

    bindAccount(env, { accountId });
    // Day 1: the owner's extension, an agent (Bea) and a temp (Tom).
    const owner = await testDevice(env, 'Olga', 'owner');
    const bea = await testDevice(env, 'Bea');
    const tom = await testDevice(env, 'Tom');
    const v1 = await createFirstDeviceList(identity, { devices: [owner.entry, bea.entry, tom.entry] }, env);
    const list1 = await verifySignedDeviceList(v1, accountKey);

    let ownersRing: ArchiveKeyring = await createArchiveKeyring(env, identity, list1);
    const firstGrants = await grantArchiveKeys(env, ownersRing, owner.keys, list1.devices, ARCHIVE_GRANT_SCOPES.all);
    const beaGrant = firstGrants.find((g) => idEquals(g.recipientDeviceId, bea.keys.deviceId));
    let beasRing = (
      await acceptArchiveKeyGrant(undefined, list1, relay(beaGrant?.sealed ?? new Uint8Array(0)), bea.keys)
    ).keyring;

    // History in epoch 1, written by the owner and by Bea.
    const r1 = await sealHistoryRecord(
      ownersRing,
      env,
      owner.keys,
      text('c1/1'),
      text('Visitor: my order #1234 is late'),
    );
    ownersRing = r1.keyring;
    const r2 = await sealHistoryRecord(beasRing, env, bea.keys, text('c1/2'), text('Bea: it ships tomorrow'));
    beasRing = r2.keyring;

    // Tom leaves: list v2 without him, archive rotates to epoch 2 (F11).
    authoriseChange(list1, owner.keys.deviceId, { kind: 'remove-device', deviceId: tom.keys.deviceId });
    const removal = applyChange(list1, { kind: 'remove-device', deviceId: tom.keys.deviceId });
    const v2 = await createNextDeviceList(identity, v1, { devices: removal.devices }, env);
    const list2 = await verifySignedDeviceList(v2, accountKey);
    const rotation = await rotateArchiveOnListChange(env, identity, ownersRing, owner.keys, list2);
    ownersRing = rotation.keyring;
    for (const g of rotation.grants)
      beasRing = (await acceptArchiveKeyGrant(beasRing, list2, relay(g.sealed), bea.keys)).keyring;
    const r3 = await sealHistoryRecord(ownersRing, env, owner.keys, text('c2/1'), text('Olga: refund sent'));
    ownersRing = r3.keyring;

    // Months later: the owner links a new phone.
    const phone = await createDeviceKeys(env);
    const e1 = await startExistingDeviceLink(env, { accountId, accountKey }, owner.keys, owner.entry.agentId); // QR on the extension
    const n1 = await startNewDeviceLink(env, e1.payload, phone, 'pwa'); // scanned by the phone
    const e2 = await existingDeviceReceiveHello(e1.state, env, relay(n1.hello));
    const n2 = await newDeviceReceiveOffer(n1.state, env, relay(e2.offer));
    expect(e2.code).toBe(n2.code); // the owner compares the two screens
    const n3 = newDeviceConfirmCode(n2.state, env, true);
    const e3 = await existingDeviceConfirmCode(e2.state, env, {
      codesMatch: true,
      profile: { agentId: owner.entry.agentId, agentName: 'Olga', kind: 'pwa', role: 'owner' },
      self: owner.keys,
      keyring: ownersRing,
    });
    const release = e3.release;
    if (release === undefined) throw new Error('the confirmed link released nothing');

    // The AIK holder (the owner's extension) adds the phone to the next signed list.
    const v3 = await listLinkedDevice(identity, v2, owner.keys.deviceId, release, env);

    // On the phone: the grant, the account key learned through the matching codes, the list.
    const n4 = await newDeviceReceiveGrant(n3.state, env, relay(release.grant));
    const linked = n4.state;
    if (linked.phase !== LINK_PHASES.linked) throw new Error('the phone is not linked');
    const list3 = await verifySignedDeviceList(v3, linked.accountKey);
    expect(findDevice(list3, phone.deviceId)?.dhIdentityKey).toEqual(phone.identityDh.publicKey);
    expect(findDevice(list3, tom.keys.deviceId)).toBeUndefined();

    // The sponsor must be a device of the verified list; grants are accepted from listed devices only.
    expect(findDevice(list3, linked.sponsor.deviceId)?.signingKey).toEqual(linked.sponsor.signingKey);
    let phonesRing: ArchiveKeyring | undefined;
    expect(release.archiveGrants).toHaveLength(linked.archiveGrantCount);
    for (const g of release.archiveGrants) {
      phonesRing = (await acceptArchiveKeyGrant(phonesRing, list3, relay(g.sealed), phone)).keyring;
    }
    if (phonesRing === undefined) throw new Error('no archive keys reached the phone');
    expect(phonesRing.keys.map((k) => k.epoch)).toEqual([1, 2]);

    // List v3 changed the device set: the owner makes epoch 3 (PROTOCOL §9.1) for Bea and the phone.
    const epoch3 = await rotateArchiveOnListChange(env, identity, ownersRing, owner.keys, list3);
    expect(currentArchiveKey(epoch3.keyring).epoch).toBe(3);
    for (const g of epoch3.grants) {
      if (idEquals(g.recipientDeviceId, phone.deviceId))
        phonesRing = (await acceptArchiveKeyGrant(phonesRing, list3, relay(g.sealed), phone)).keyring;
      else beasRing = (await acceptArchiveKeyGrant(beasRing, list3, relay(g.sealed), bea.keys)).keyring;
    }
    expect(phonesRing.keys.map((k) => k.epoch)).toEqual([1, 2, 3]);
    const authorsAt = (epoch: number) => [list1, list2, list3].find((l) => l.version === epoch)?.devices;

    // The phone reads history from before it existed, of both epochs and both writers.
    expect(read((await openHistoryRecord(phonesRing, text('c1/1'), r1.record, authorsAt)).plaintext)).toBe(
      'Visitor: my order #1234 is late',
    );
    expect(read((await openHistoryRecord(phonesRing, text('c1/2'), r2.record, authorsAt)).plaintext)).toBe(
      'Bea: it ships tomorrow',
    );
    expect(read((await openHistoryRecord(phonesRing, text('c2/1'), r3.record, authorsAt)).plaintext)).toBe(
      'Olga: refund sent',
    );

    // And what the phone writes now, Bea reads.
    const r4 = await sealHistoryRecord(phonesRing, env, phone, text('c2/2'), text('Olga (phone): anything else?'));
    expect(read((await openHistoryRecord(beasRing, text('c2/2'), r4.record)).plaintext)).toBe(
      'Olga (phone): anything else?',
    );
  });
});
