import { describe, expect, it } from 'vitest';
import { DecodeError, DecryptError, LimitError } from '../../../shared/errors/index.js';
import { ARCHIVE_LIMITS } from '../../../shared/protocol/archive/archive-codec.js';
import {
  ARCHIVE_GRANT_SCOPES,
  acceptArchiveKeyGrant,
  archiveRotationRequired,
  grantArchiveKeys,
  rotateArchiveOnListChange,
  openHistoryRecord,
  sealHistoryRecord,
  ProtocolStateError,
  UnauthorisedDeviceError,
} from '../../../shared/protocol/index.js';
import {
  type ArchiveKeyring,
  createArchiveKeyring,
  currentArchiveKey,
  mergeArchiveKeys,
  rotateArchiveKeyring,
} from '../../../shared/protocol/archive/archive-keyring.js';
import { asAccountId, idEquals } from '../../../shared/wire/index.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';
import { testDevice } from '../../support/test-device.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (b: Uint8Array): string => new TextDecoder().decode(b);

async function team() {
  const env = hashSeededEnv('archive');
  const accountId = asAccountId(env.rng(16));
  const owner = await testDevice(env, 'Olga', 'owner');
  const bea = await testDevice(env, 'Bea');
  const carl = await testDevice(env, 'Carl');
  const carlPhone = await testDevice(env, 'Carl', 'agent', carl.entry.agentId);
  const keyring = createArchiveKeyring(env, accountId);
  return { env, accountId, owner, bea, carl, carlPhone, keyring };
}

describe('archive records', () => {
  it('seal and open under the current key; the usage count goes up; the input keyring is not mutated', async () => {
    const { env, keyring } = await team();
    const before = structuredClone(keyring);
    const { keyring: next, record } = await sealHistoryRecord(keyring, env, text('conv-1/msg-1'), text('hello'));
    expect(keyring).toEqual(before);
    expect(next.usageCount).toBe(1);
    expect(read(await openHistoryRecord(next, text('conv-1/msg-1'), record))).toBe('hello');
  });

  it('uses a random IV: one plaintext sealed twice gives different records', async () => {
    const { env, keyring } = await team();
    const a = await sealHistoryRecord(keyring, env, text('r'), text('same'));
    const b = await sealHistoryRecord(a.keyring, env, text('r'), text('same'));
    expect(a.record).not.toEqual(b.record);
  });

  it('binds the record id: a record moved to another slot does not open (DecryptError)', async () => {
    const { env, keyring } = await team();
    const { record } = await sealHistoryRecord(keyring, env, text('conv-1/msg-1'), text('refund approved'));
    await expect(openHistoryRecord(keyring, text('conv-1/msg-2'), record)).rejects.toBeInstanceOf(DecryptError);
  });

  it('rejects a tampered record (DecryptError), a truncated one and an unknown version (DecodeError)', async () => {
    const { env, keyring } = await team();
    const { record } = await sealHistoryRecord(keyring, env, text('r'), text('note'));
    const flipped = new Uint8Array(record);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    await expect(openHistoryRecord(keyring, text('r'), flipped)).rejects.toBeInstanceOf(DecryptError);
    await expect(openHistoryRecord(keyring, text('r'), record.subarray(0, 20))).rejects.toBeInstanceOf(DecodeError);
    const v2 = new Uint8Array(record);
    v2[0] = 3;
    await expect(openHistoryRecord(keyring, text('r'), v2)).rejects.toBeInstanceOf(DecodeError);
  });

  it('F15: stops at the per-device usage cap (LimitError) until the key rotates', async () => {
    const { env, keyring } = await team();
    const worn: ArchiveKeyring = { ...keyring, usageCount: ARCHIVE_LIMITS.maxRecordsPerKeyPerDevice };
    await expect(sealHistoryRecord(worn, env, text('r'), text('x'))).rejects.toBeInstanceOf(LimitError);
    const rotated = rotateArchiveKeyring(worn, env);
    const { keyring: after } = await sealHistoryRecord(rotated, env, text('r'), text('x'));
    expect(after.usageCount).toBe(1);
  });

  it('refuses oversized records and record ids (LimitError)', async () => {
    const { env, keyring } = await team();
    await expect(sealHistoryRecord(keyring, env, new Uint8Array(65), text('x'))).rejects.toBeInstanceOf(LimitError);
    await expect(
      sealHistoryRecord(keyring, env, text('r'), new Uint8Array(ARCHIVE_LIMITS.maxRecordPlaintextBytes + 1)),
    ).rejects.toBeInstanceOf(LimitError);
  });
});

describe('archive key distribution', () => {
  it('grants every epoch to a device; the device then reads history of all epochs', async () => {
    const { env, accountId, owner, bea, keyring } = await team();
    const old = await sealHistoryRecord(keyring, env, text('old'), text('epoch one'));
    const rotated = rotateArchiveKeyring(old.keyring, env);
    const fresh = await sealHistoryRecord(rotated, env, text('new'), text('epoch two'));
    const grants = await grantArchiveKeys(env, fresh.keyring, owner.keys, [bea.entry], ARCHIVE_GRANT_SCOPES.all);
    expect(grants).toHaveLength(1);
    const { keyring: beas, added } = await acceptArchiveKeyGrant(
      undefined,
      accountId,
      grants[0]?.sealed ?? new Uint8Array(0),
      bea.keys,
      [owner.entry],
    );
    expect(added).toBe(2);
    expect(read(await openHistoryRecord(beas, text('old'), old.record))).toBe('epoch one');
    expect(read(await openHistoryRecord(beas, text('new'), fresh.record))).toBe('epoch two');
  });

  it('skips the sender, and splits many epochs into several grants', async () => {
    const { env, accountId, owner, bea } = await team();
    let keyring = createArchiveKeyring(env, accountId);
    for (let i = 0; i < ARCHIVE_LIMITS.maxKeysPerGrant + 10; i++) keyring = rotateArchiveKeyring(keyring, env);
    const grants = await grantArchiveKeys(env, keyring, owner.keys, [owner.entry, bea.entry], ARCHIVE_GRANT_SCOPES.all);
    expect(grants).toHaveLength(2);
    expect(grants.every((g) => idEquals(g.recipientDeviceId, bea.entry.deviceId))).toBe(true);
    let beas: ArchiveKeyring | undefined;
    for (const g of grants)
      beas = (await acceptArchiveKeyGrant(beas, accountId, g.sealed, bea.keys, [owner.entry])).keyring;
    expect(beas?.keys).toHaveLength(keyring.keys.length);
    expect(beas === undefined ? undefined : currentArchiveKey(beas).epoch).toBe(currentArchiveKey(keyring).epoch);
  });

  it('accepting a grant again changes nothing; a conflicting key for a held epoch is refused', async () => {
    const { env, accountId, owner, bea, keyring } = await team();
    const [grant] = await grantArchiveKeys(env, keyring, owner.keys, [bea.entry], ARCHIVE_GRANT_SCOPES.current);
    const sealed = grant?.sealed ?? new Uint8Array(0);
    const first = await acceptArchiveKeyGrant(undefined, accountId, sealed, bea.keys, [owner.entry]);
    const again = await acceptArchiveKeyGrant(first.keyring, accountId, sealed, bea.keys, [owner.entry]);
    expect(again.added).toBe(0);
    const held = currentArchiveKey(first.keyring);
    const conflicting = { ...held, key: new Uint8Array(32).fill(9) };
    expect(() => mergeArchiveKeys(first.keyring, accountId, [conflicting])).toThrow(ProtocolStateError);
  });

  it('a refused grant leaves the receiving keyring unchanged', async () => {
    const { env, accountId, owner, bea, carl, keyring } = await team();
    const [mine] = await grantArchiveKeys(env, keyring, owner.keys, [bea.entry], ARCHIVE_GRANT_SCOPES.current);
    const beas = (
      await acceptArchiveKeyGrant(undefined, accountId, mine?.sealed ?? new Uint8Array(0), bea.keys, [owner.entry])
    ).keyring;
    const snapshot = structuredClone(beas);
    const rotated = rotateArchiveKeyring(keyring, env);
    const [forCarl] = await grantArchiveKeys(env, rotated, owner.keys, [carl.entry], ARCHIVE_GRANT_SCOPES.current);
    await expect(
      acceptArchiveKeyGrant(beas, accountId, forCarl?.sealed ?? new Uint8Array(0), bea.keys, [owner.entry]),
    ).rejects.toBeInstanceOf(ProtocolStateError);
    const truncated = (mine?.sealed ?? new Uint8Array(0)).subarray(0, 50);
    await expect(acceptArchiveKeyGrant(beas, accountId, truncated, bea.keys, [owner.entry])).rejects.toBeInstanceOf(
      DecodeError,
    );
    expect(beas).toEqual(snapshot);
  });

  it('F11: a listed device cannot push the epoch counter towards exhaustion (jump refused, keyring unchanged)', async () => {
    const { env, accountId, keyring } = await team();
    const far = { epoch: 0xffff_ffff, keyId: new Uint8Array(16).fill(1), key: new Uint8Array(32).fill(2) };
    expect(() => mergeArchiveKeys(keyring, accountId, [far])).toThrow(ProtocolStateError);
    const near = {
      epoch: 1 + ARCHIVE_LIMITS.maxEpochJump,
      keyId: new Uint8Array(16).fill(1),
      key: new Uint8Array(32).fill(2),
    };
    expect(currentArchiveKey(mergeArchiveKeys(keyring, accountId, [near]).keyring).epoch).toBe(near.epoch);
    expect(rotateArchiveKeyring(keyring, env).keys).toHaveLength(2);
  });

  it('refuses grants from unlisted senders, for another account, or addressed to another device', async () => {
    const { env, accountId, owner, bea, carl, keyring } = await team();
    const [grant] = await grantArchiveKeys(env, keyring, owner.keys, [bea.entry], ARCHIVE_GRANT_SCOPES.current);
    const sealed = grant?.sealed ?? new Uint8Array(0);
    await expect(acceptArchiveKeyGrant(undefined, accountId, sealed, bea.keys, [carl.entry])).rejects.toBeInstanceOf(
      UnauthorisedDeviceError,
    );
    await expect(
      acceptArchiveKeyGrant(undefined, asAccountId(new Uint8Array(16)), sealed, bea.keys, [owner.entry]),
    ).rejects.toBeInstanceOf(ProtocolStateError);
    await expect(acceptArchiveKeyGrant(undefined, accountId, sealed, carl.keys, [owner.entry])).rejects.toBeInstanceOf(
      ProtocolStateError,
    );
  });
});

describe('archive rotation (F11)', () => {
  it('F11: removing a device or an agent requires rotation; adding one does not', async () => {
    const { owner, bea, carl, carlPhone } = await team();
    const all = [owner.entry, bea.entry, carl.entry, carlPhone.entry];
    expect(archiveRotationRequired(all, [owner.entry, carl.entry, carlPhone.entry])).toBe(true);
    expect(archiveRotationRequired(all, [owner.entry, bea.entry])).toBe(true);
    expect(archiveRotationRequired([owner.entry], all)).toBe(false);
    expect(archiveRotationRequired(all, all)).toBe(false);
  });

  it('F11: on removal the key rotates to a new epoch granted only to the remaining devices', async () => {
    const { env, accountId, owner, bea, carl, keyring } = await team();
    const before = [owner.entry, bea.entry, carl.entry];
    const after = [owner.entry, carl.entry];
    const result = await rotateArchiveOnListChange(env, keyring, owner.keys, before, after);
    expect(result.rotated).toBe(true);
    expect(currentArchiveKey(result.keyring).epoch).toBe(2);
    expect(result.keyring.keys.map((k) => k.epoch)).toEqual([1, 2]);
    expect(result.grants.map((g) => g.recipientDeviceId)).toEqual([carl.entry.deviceId]);
    // Carl keeps epoch 1 (he had it) and gains epoch 2.
    const [carlsOld] = await grantArchiveKeys(env, keyring, owner.keys, [carl.entry], ARCHIVE_GRANT_SCOPES.current);
    let carls = (
      await acceptArchiveKeyGrant(undefined, accountId, carlsOld?.sealed ?? new Uint8Array(0), carl.keys, [owner.entry])
    ).keyring;
    carls = (
      await acceptArchiveKeyGrant(carls, accountId, result.grants[0]?.sealed ?? new Uint8Array(0), carl.keys, after)
    ).keyring;
    expect(carls.keys.map((k) => k.epoch)).toEqual([1, 2]);
  });

  it('F11: the removed device cannot open the new epoch: no grant for it, and the others’ grants refuse it', async () => {
    const { env, accountId, owner, bea, carl, keyring } = await team();
    const [beasOld] = await grantArchiveKeys(env, keyring, owner.keys, [bea.entry], ARCHIVE_GRANT_SCOPES.current);
    const beas = (
      await acceptArchiveKeyGrant(undefined, accountId, beasOld?.sealed ?? new Uint8Array(0), bea.keys, [owner.entry])
    ).keyring;
    const result = await rotateArchiveOnListChange(
      env,
      keyring,
      owner.keys,
      [owner.entry, bea.entry, carl.entry],
      [owner.entry, carl.entry],
    );
    expect(result.grants.some((g) => idEquals(g.recipientDeviceId, bea.entry.deviceId))).toBe(false);
    for (const g of result.grants) {
      await expect(acceptArchiveKeyGrant(beas, accountId, g.sealed, bea.keys, [owner.entry])).rejects.toBeInstanceOf(
        ProtocolStateError,
      );
    }
    const secret = await sealHistoryRecord(result.keyring, env, text('after'), text('after removal'));
    await expect(openHistoryRecord(beas, text('after'), secret.record)).rejects.toBeInstanceOf(ProtocolStateError);
  });

  it('F11: no change without a removal; a sender outside the new list is refused', async () => {
    const { env, owner, bea, keyring } = await team();
    const same = await rotateArchiveOnListChange(env, keyring, owner.keys, [owner.entry], [owner.entry, bea.entry]);
    expect(same.rotated).toBe(false);
    expect(same.keyring).toBe(keyring);
    expect(same.grants).toHaveLength(0);
    await expect(
      rotateArchiveOnListChange(env, keyring, owner.keys, [owner.entry, bea.entry], [bea.entry]),
    ).rejects.toBeInstanceOf(ProtocolStateError);
  });
});
