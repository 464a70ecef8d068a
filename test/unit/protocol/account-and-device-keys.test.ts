import { describe, expect, it } from 'vitest';
import { ed25519Sign, ed25519Verify, x25519 } from '../../../shared/crypto/index.js';
import { DecodeError, InvalidKeyError, UsageError } from '../../../shared/errors/index.js';
import {
  accountIdentityFromSeed,
  createAccountIdentity,
  createDeviceKeys,
  deviceEntryOf,
  InvalidDisplayNameError,
  verifyProofOfPossession,
} from '../../../shared/protocol/index.js';
import { type AccountId, asAccountId } from '../../../shared/wire/index.js';
import { manualClock, seededEnv } from '../../support/seeded-env.js';

describe('account identity key (AIK)', () => {
  it('is reproducible from the seeded rng, non-extractable, and rebuilt from its seed', async () => {
    const a = await createAccountIdentity(seededEnv('aik', manualClock()));
    const b = await createAccountIdentity(seededEnv('aik', manualClock()));
    expect(a.identity.signing.publicKey).toEqual(b.identity.signing.publicKey);
    expect(a.identity.accountId).toEqual(b.identity.accountId);
    expect(a.identity.signing.privateKey.extractable).toBe(false);
    expect(a.identity.accountId).toHaveLength(16);
    const rebuilt = await accountIdentityFromSeed(a.identity.accountId, a.seed);
    const message = new Uint8Array([42]);
    expect(
      await ed25519Verify(
        a.identity.signing.publicKey,
        message,
        await ed25519Sign(rebuilt.signing.privateKey, message),
      ),
    ).toBe(true);
    const other = await createAccountIdentity(seededEnv('aik-2', manualClock()));
    expect(other.identity.signing.publicKey).not.toEqual(a.identity.signing.publicKey);
  });

  it('a seed or account id of the wrong length is refused', async () => {
    const a = await createAccountIdentity(seededEnv('aik', manualClock()));
    await expect(accountIdentityFromSeed(a.identity.accountId, new Uint8Array(31))).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
    await expect(accountIdentityFromSeed(new Uint8Array(15) as AccountId, a.seed)).rejects.toBeInstanceOf(DecodeError);
  });
});

describe('device keys (F10: one key set per device)', () => {
  it('gives every device its own signing and DH keys, non-extractable and usable', async () => {
    const env = seededEnv('devices', manualClock());
    const one = await createDeviceKeys(env);
    const two = await createDeviceKeys(env);
    expect(one.deviceId).not.toEqual(two.deviceId);
    expect(one.signing.publicKey).not.toEqual(two.signing.publicKey);
    expect(one.identityDh.publicKey).not.toEqual(two.identityDh.publicKey);
    expect(one.signing.privateKey.extractable).toBe(false);
    expect(one.identityDh.privateKey.extractable).toBe(false);
    expect(await x25519(one.identityDh.privateKey, two.identityDh.publicKey)).toEqual(
      await x25519(two.identityDh.privateKey, one.identityDh.publicKey),
    );
  });

  it('deviceEntryOf copies the public halves and validates the name and the agent id', async () => {
    const env = seededEnv('entries', manualClock());
    const keys = await createDeviceKeys(env);
    const agentId = env.rng(16);
    const accountId = asAccountId(env.rng(16));
    const entry = await deviceEntryOf(keys, { agentId, agentName: 'Ada', kind: 'pwa', role: 'agent' }, accountId);
    expect(entry.sponsorId).toEqual(keys.deviceId);
    expect(await verifyProofOfPossession(accountId, entry)).toBe(true);
    // #17.2: the proof binds the account and the agent.
    expect(await verifyProofOfPossession(asAccountId(new Uint8Array(16)), entry)).toBe(false);
    expect(await verifyProofOfPossession(accountId, { ...entry, agentId: new Uint8Array(16) })).toBe(false);
    expect(entry.signingKey).toEqual(keys.signing.publicKey);
    expect(entry.dhIdentityKey).toEqual(keys.identityDh.publicKey);
    expect(entry.agentId).toEqual(agentId);
    expect(entry.agentId).not.toBe(agentId);
    await expect(
      deviceEntryOf(keys, { agentId, agentName: 'Ada\u200B', kind: 'pwa', role: 'agent' }, accountId),
    ).rejects.toThrow(InvalidDisplayNameError);
    await expect(
      deviceEntryOf(keys, { agentId: new Uint8Array(8), agentName: 'Ada', kind: 'pwa', role: 'agent' }, accountId),
    ).rejects.toThrow(UsageError);
  });
});
