/**
 * Story: an owner links a new phone months after the inbox started. The phone shows a QR code,
 * the owner's extension scans it, both show the same 6-digit code, the owner confirms. The
 * phone ends up in the next signed device list, receives every archive epoch sealed to its own
 * key, and reads history written before it existed — including history from before a rotation
 * and records written by another agent's device. (docs/PROTOCOL.md §9, §10; security brief §3.)
 */
import { describe, expect, it } from 'vitest';
import {
  createAccountIdentity,
  ARCHIVE_GRANT_SCOPES,
  acceptArchiveKeyGrant,
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
  existingDeviceReceiveReveal,
  startExistingDeviceLink,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startNewDeviceLink,
  listLinkedDevice,
  proveDevicePossession,
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

    let ownersRing: ArchiveKeyring = createArchiveKeyring(env, accountId);
    const firstGrants = await grantArchiveKeys(env, ownersRing, owner.keys, list1.devices, ARCHIVE_GRANT_SCOPES.all);
    const beaGrant = firstGrants.find((g) => idEquals(g.recipientDeviceId, bea.keys.deviceId));
    let beasRing = (
      await acceptArchiveKeyGrant(
        undefined,
        accountId,
        relay(beaGrant?.sealed ?? new Uint8Array(0)),
        bea.keys,
        list1.devices,
      )
    ).keyring;

    // History in epoch 1, written by the owner and by Bea.
    const r1 = await sealHistoryRecord(ownersRing, env, text('c1/1'), text('Visitor: my order #1234 is late'));
    ownersRing = r1.keyring;
    const r2 = await sealHistoryRecord(beasRing, env, text('c1/2'), text('Bea: it ships tomorrow'));
    beasRing = r2.keyring;

    // Tom leaves: list v2 without him, archive rotates to epoch 2 (F11).
    authoriseChange(list1, owner.keys.deviceId, { kind: 'remove-device', deviceId: tom.keys.deviceId });
    const removal = applyChange(list1, { kind: 'remove-device', deviceId: tom.keys.deviceId });
    const v2 = await createNextDeviceList(identity, v1, { devices: removal.devices }, env);
    const list2 = await verifySignedDeviceList(v2, accountKey);
    const rotation = await rotateArchiveOnListChange(env, ownersRing, owner.keys, list1.devices, list2.devices);
    ownersRing = rotation.keyring;
    for (const g of rotation.grants)
      beasRing = (await acceptArchiveKeyGrant(beasRing, accountId, relay(g.sealed), bea.keys, list2.devices)).keyring;
    const r3 = await sealHistoryRecord(ownersRing, env, text('c2/1'), text('Olga: refund sent'));
    ownersRing = r3.keyring;

    // Months later: the owner links a new phone.
    const phone = await createDeviceKeys(env);
    const n1 = await startNewDeviceLink(env, accountId, phone); // QR on the phone
    const e1 = await startExistingDeviceLink(env, n1.payload, { accountId, accountKey }, owner.keys); // scanned by the extension
    const n2 = await newDeviceReceiveOffer(n1.state, env, relay(e1.offer));
    const e2 = await existingDeviceReceiveReveal(e1.state, env, relay(n2.reveal));
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
    const proof = await proveDevicePossession(phone, accountId, owner.entry.agentId);
    const v3 = await listLinkedDevice(identity, v2, owner.keys.deviceId, release, proof, env);

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
      phonesRing = (await acceptArchiveKeyGrant(phonesRing, accountId, relay(g.sealed), phone, list3.devices)).keyring;
    }
    if (phonesRing === undefined) throw new Error('no archive keys reached the phone');
    expect(phonesRing.keys.map((k) => k.epoch)).toEqual([1, 2]);

    // The phone reads history from before it existed, of both epochs and both writers.
    expect(read(await openHistoryRecord(phonesRing, text('c1/1'), r1.record))).toBe('Visitor: my order #1234 is late');
    expect(read(await openHistoryRecord(phonesRing, text('c1/2'), r2.record))).toBe('Bea: it ships tomorrow');
    expect(read(await openHistoryRecord(phonesRing, text('c2/1'), r3.record))).toBe('Olga: refund sent');

    // And what the phone writes now, Bea reads.
    const r4 = await sealHistoryRecord(phonesRing, env, text('c2/2'), text('Olga (phone): anything else?'));
    expect(read(await openHistoryRecord(beasRing, text('c2/2'), r4.record))).toBe('Olga (phone): anything else?');
  });
});
