import { describe, expect, it } from 'vitest';
import { ed25519Sign, ed25519Verify } from '../../../shared/crypto/index.js';
import { DecodeError, DecryptError, InvalidKeyError } from '../../../shared/errors/index.js';
import { decodeIdentityBackup, encodeIdentityBackup } from '../../../shared/protocol/directory/recovery-codec.js';
import {
  deriveRecoveryKeys,
  formatRecoveryKey,
  generateRecoveryKey,
  parseRecoveryKey,
  restoreAccountIdentity,
  wrapIdentityBackup,
} from '../../../shared/protocol/index.js';
import { asAccountId } from '../../../shared/wire/index.js';
import { identityWorld } from '../../support/identity-fixture.js';

describe('recovery key (F18)', () => {
  it('F18: is 256 bits, formatted once as 14 groups, and parses back (case, spaces and hyphens ignored)', async () => {
    const w = await identityWorld();
    expect(w.recoveryKey).toHaveLength(32);
    const text = await formatRecoveryKey(w.recoveryKey);
    expect(text).toMatch(/^([a-z2-7]{4} ){13}[a-z2-7]{4}$/);
    expect(await parseRecoveryKey(text)).toEqual(w.recoveryKey);
    expect(await parseRecoveryKey(text.toUpperCase().replaceAll(' ', '-'))).toEqual(w.recoveryKey);
  });

  it('F18: a typing mistake is caught by the checksum (DecodeError), as are wrong lengths and characters', async () => {
    const w = await identityWorld();
    const text = await formatRecoveryKey(w.recoveryKey);
    const typo = (text.startsWith('a') ? 'b' : 'a') + text.slice(1);
    await expect(parseRecoveryKey(typo)).rejects.toBeInstanceOf(DecodeError);
    await expect(parseRecoveryKey(text.slice(0, -4))).rejects.toBeInstanceOf(DecodeError);
    await expect(parseRecoveryKey(`${text.slice(0, -1)}1`)).rejects.toBeInstanceOf(DecodeError);
    await expect(formatRecoveryKey(new Uint8Array(31))).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('#9.8: the recovery key parser folds ASCII case only and ignores only spaces and hyphens', async () => {
    const w = await identityWorld();
    const text = await formatRecoveryKey(w.recoveryKey);
    const withK = text.indexOf('k');
    const letter = text.search(/[a-z]/);
    const at = withK >= 0 ? withK : letter;
    const kelvin = `${text.slice(0, at)}\u212A${text.slice(at + 1)}`;
    await expect(parseRecoveryKey(kelvin)).rejects.toBeInstanceOf(DecodeError);
    await expect(parseRecoveryKey(`${text.slice(0, at)}\uFF41${text.slice(at + 1)}`)).rejects.toBeInstanceOf(
      DecodeError,
    );
    for (const separator of ['\t', '\u00A0', '\u3000', '_']) {
      await expect(parseRecoveryKey(text.replaceAll(' ', separator))).rejects.toBeInstanceOf(DecodeError);
    }
    expect(await parseRecoveryKey(text.replaceAll(' ', ' - ').toUpperCase())).toEqual(w.recoveryKey);
  });

  it('F18: the AIK seed backup opens with the recovery key and rebuilds the same account key', async () => {
    const w = await identityWorld();
    const backup = await wrapIdentityBackup(w.recoveryKey, w.identity.accountId, w.seed, w.env);
    const restored = await restoreAccountIdentity(w.recoveryKey, w.identity.accountId, backup);
    expect(restored.signing.publicKey).toEqual(w.identity.signing.publicKey);
    expect(restored.accountId).toEqual(w.identity.accountId);
    // The restored (non-extractable) key makes signatures the original public key accepts.
    expect(restored.signing.privateKey.extractable).toBe(false);
    const message = new Uint8Array([1, 2, 3]);
    expect(
      await ed25519Verify(
        w.identity.signing.publicKey,
        message,
        await ed25519Sign(restored.signing.privateKey, message),
      ),
    ).toBe(true);
  });

  it('F18: the backup does not open with another recovery key, for another account, or when tampered', async () => {
    const w = await identityWorld();
    const backup = await wrapIdentityBackup(w.recoveryKey, w.identity.accountId, w.seed, w.env);
    await expect(
      restoreAccountIdentity(generateRecoveryKey(w.env), w.identity.accountId, backup),
    ).rejects.toBeInstanceOf(DecryptError);
    const otherAccount = asAccountId(w.env.rng(16));
    await expect(restoreAccountIdentity(w.recoveryKey, otherAccount, backup)).rejects.toBeInstanceOf(DecryptError);
    // Relabel the backup as another account's (AAD binds the account id).
    const parsed = decodeIdentityBackup(backup);
    const relabelled = encodeIdentityBackup({ ...parsed, accountId: otherAccount });
    await expect(restoreAccountIdentity(w.recoveryKey, otherAccount, relabelled)).rejects.toBeInstanceOf(DecryptError);
    for (let i = 0; i < backup.length; i += 7) {
      const flipped = backup.slice();
      flipped[i] = (flipped[i] ?? 0) ^ 0x01;
      await expect(restoreAccountIdentity(w.recoveryKey, w.identity.accountId, flipped)).rejects.toSatisfy(
        (e) => e instanceof DecryptError || e instanceof DecodeError,
      );
    }
    await expect(
      restoreAccountIdentity(w.recoveryKey, w.identity.accountId, backup.slice(0, 20)),
    ).rejects.toBeInstanceOf(DecodeError);
  });

  it('derives a wrap key and a signing key that differ per account and per recovery key', async () => {
    const w = await identityWorld();
    const again = await deriveRecoveryKeys(w.recoveryKey, w.identity.accountId);
    expect(again.signing.publicKey).toEqual(w.recovery.signing.publicKey);
    const other = await deriveRecoveryKeys(w.recoveryKey, asAccountId(new Uint8Array(16)));
    expect(other.signing.publicKey).not.toEqual(w.recovery.signing.publicKey);
    expect(again.wrapKey.extractable).toBe(false);
    await expect(deriveRecoveryKeys(new Uint8Array(16), w.identity.accountId)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('F18: the stored backup holds neither the seed nor the recovery key in the clear', async () => {
    const w = await identityWorld();
    const backup = await wrapIdentityBackup(w.recoveryKey, w.identity.accountId, w.seed, w.env);
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    expect(hex(backup)).not.toContain(hex(w.seed));
    expect(hex(backup)).not.toContain(hex(w.recoveryKey));
    expect(hex(w.recovery.signing.publicKey)).not.toBe(hex(w.recoveryKey));
    // A fresh IV per backup: two backups of the same seed differ.
    expect(hex(await wrapIdentityBackup(w.recoveryKey, w.identity.accountId, w.seed, w.env))).not.toBe(hex(backup));
  });
});
