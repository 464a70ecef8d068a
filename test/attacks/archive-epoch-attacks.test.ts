/**
 * Issue #9 item 1 (F11, PROTOCOL §9.1, §9.5): a device about to be removed plants an inbox archive
 * key on a sibling while it is still listed, so that the sibling keeps sealing history under a key
 * the removed device holds. The attacker is a listed device: it can seal boxes to its siblings with
 * its own device key and choose every byte of the grant payload.
 */
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../shared/crypto/index.js';
import {
  acceptArchiveKeyGrant,
  ARCHIVE_GRANT_SCOPES,
  createArchiveKeyring,
  grantArchiveKeys,
  openHistoryRecord,
  rotateArchiveOnListChange,
  SEALED_BOX_PURPOSES,
  sealHistoryRecord,
  sealToDevice,
  type ArchiveKeyring,
} from '../../shared/protocol/index.js';
import { archiveGrantPayloadCodec } from '../../shared/protocol/archive/archive-codec.js';
import { asAccountId, encode } from '../../shared/wire/index.js';
import { hashSeededEnv } from '../support/hash-seeded-env.js';
import { testDevice } from '../support/test-device.js';

async function world(seed: string) {
  const env = hashSeededEnv(seed);
  const accountId = asAccountId(env.rng(16));
  const owner = await testDevice(env, 'Olga', 'owner');
  const laptop = await testDevice(env, 'Ada');
  const phone = await testDevice(env, 'Ada', 'agent', laptop.entry.agentId);
  const before = [owner.entry, laptop.entry, phone.entry];
  const after = [owner.entry, laptop.entry];
  const ownersRing = createArchiveKeyring(env, accountId);
  const grants = await grantArchiveKeys(env, ownersRing, owner.keys, before, ARCHIVE_GRANT_SCOPES.all);
  const ring = async (d: typeof laptop): Promise<ArchiveKeyring> => {
    const g = grants.find((x) => x.recipientDeviceId.every((b, i) => b === d.entry.deviceId[i]));
    if (g === undefined) throw new RangeError('no grant');
    return (await acceptArchiveKeyGrant(undefined, accountId, g.sealed, d.keys, before)).keyring;
  };
  return {
    env,
    accountId,
    owner,
    laptop,
    phone,
    before,
    after,
    ownersRing,
    laptopsRing: await ring(laptop),
    phonesRing: await ring(phone),
  };
}

/** The phone, still listed, seals a key it chose to the laptop. */
async function plant(w: Awaited<ReturnType<typeof world>>, epoch: number, keyId: Uint8Array) {
  const planted = { epoch, keyId, key: w.env.rng(32) };
  const payload = encode(archiveGrantPayloadCodec, { accountId: w.accountId, keys: [planted] });
  const sealed = await sealToDevice(w.env, w.phone.keys, w.laptop.entry, SEALED_BOX_PURPOSES.archiveKeys, payload);
  return { planted, sealed };
}

describe('attack: a device about to be removed keeps reading history (#9 item 1, F11)', () => {
  it('#9.1: a key planted several epochs ahead by a device before its removal is never used for sealing after the removal', async () => {
    const w = await world('archive-epoch-ahead');
    const { planted, sealed } = await plant(w, 5, w.env.rng(16));
    let laptops = w.laptopsRing;
    try {
      laptops = (await acceptArchiveKeyGrant(laptops, w.accountId, sealed, w.laptop.keys, w.before)).keyring;
    } catch {
      // Refusing the planted grant outright is a fine outcome too.
    }
    // The owner removes the phone and rotates; the laptop takes the owner's grant.
    const rotation = await rotateArchiveOnListChange(w.env, w.ownersRing, w.owner.keys, w.before, w.after);
    for (const g of rotation.grants)
      laptops = (await acceptArchiveKeyGrant(laptops, w.accountId, g.sealed, w.laptop.keys, w.after)).keyring;
    // History the laptop seals after the removal must not open with anything the phone holds.
    const recordId = utf8Encode('c1/after-removal');
    const { record } = await sealHistoryRecord(laptops, w.env, recordId, utf8Encode('refund approved'));
    const phones = { ...w.phonesRing, keys: [...w.phonesRing.keys, planted] };
    await expect(openHistoryRecord(phones, recordId, record)).rejects.toThrow();
  });

  it('#9.1: a key planted at the next epoch with the largest key id is never used for sealing after the removal', async () => {
    const w = await world('archive-epoch-largest-id');
    const { planted, sealed } = await plant(w, 2, new Uint8Array(16).fill(0xff));
    let laptops = w.laptopsRing;
    try {
      laptops = (await acceptArchiveKeyGrant(laptops, w.accountId, sealed, w.laptop.keys, w.before)).keyring;
    } catch {
      // Refusing the planted grant outright is a fine outcome too.
    }
    const rotation = await rotateArchiveOnListChange(w.env, w.ownersRing, w.owner.keys, w.before, w.after);
    for (const g of rotation.grants)
      laptops = (await acceptArchiveKeyGrant(laptops, w.accountId, g.sealed, w.laptop.keys, w.after)).keyring;
    const recordId = utf8Encode('c1/after-removal');
    const { record } = await sealHistoryRecord(laptops, w.env, recordId, utf8Encode('refund approved'));
    const phones = { ...w.phonesRing, keys: [...w.phonesRing.keys, planted] };
    await expect(openHistoryRecord(phones, recordId, record)).rejects.toThrow();
  });
});
