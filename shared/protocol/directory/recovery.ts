/**
 * The recovery key (docs/PROTOCOL.md §11; security brief F5, F18): 256 random bits shown to the
 * owner once, never sent to the service. From it, with HKDF-SHA-256 (RFC 5869) and the account id
 * as salt, two independent keys are derived:
 * - info "sealdesk/v2/recovery/backup-wrap" → AES-256-GCM key that wraps a backup of the account
 *   identity key (AIK) seed; the wrapped backup may be stored at the service (a 256-bit key leaves
 *   nothing to brute-force, F5);
 * - info "sealdesk/v2/recovery/signing-seed" → Ed25519 seed of the recovery signing key, whose
 *   public key the AIK lists in every device list, so that a rotation it signs is accepted after
 *   the loss of every owner device (rotation.ts).
 * Display form: base32 (RFC 4648 §6) of key || 3-byte checksum, 14 groups of 4 characters.
 */
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  GCM_IV_BYTES,
  importAesGcmKey,
  toBase32,
  concatBytes,
  constantTimeEqual,
  utf8Encode,
  wipe,
  ED25519_SECRET_BYTES,
  type Ed25519KeyPair,
  ed25519KeyPairFromSeed,
  sha256,
  hkdfSha256,
} from '../../crypto/index.js';
import { DecodeError, DecryptError, InvalidKeyError } from '../../errors/index.js';
import { type AccountId, asAccountId, idEquals, SUITE_V1, WIRE_VERSION } from '../../wire/index.js';
import {
  type AccountIdentity,
  accountIdentityFromSeed,
  IDENTITY_LABELS,
  labelled,
  parseBase32Text,
} from '../identity/index.js';
import type { ProtocolEnv } from '../core/index.js';
import { decodeIdentityBackup, encodeIdentityBackup } from './recovery-codec.js';

export const RECOVERY_KEY_BYTES = 32;
const CHECKSUM_BYTES = 3;
const GROUP_CHARS = 4;

function requireRecoveryKey(recoveryKey: Uint8Array): void {
  if (recoveryKey.length !== RECOVERY_KEY_BYTES) {
    throw new InvalidKeyError(`a recovery key must be ${RECOVERY_KEY_BYTES} bytes, got ${recoveryKey.length}`);
  }
}

/** 256 bits from `env.rng` (F18: "recovery key, 256-bit, shown once"). */
export function generateRecoveryKey(env: ProtocolEnv): Uint8Array {
  return env.rng(RECOVERY_KEY_BYTES);
}

async function checksum(recoveryKey: Uint8Array): Promise<Uint8Array> {
  return (await sha256(labelled(IDENTITY_LABELS.recoveryChecksum, recoveryKey))).slice(0, CHECKSUM_BYTES);
}

/** The text shown once: 56 base32 characters in groups of 4, e.g. "abcd efgh …". */
export async function formatRecoveryKey(recoveryKey: Uint8Array): Promise<string> {
  requireRecoveryKey(recoveryKey);
  const text = toBase32(concatBytes(recoveryKey, await checksum(recoveryKey)));
  const groups: string[] = [];
  for (let i = 0; i < text.length; i += GROUP_CHARS) groups.push(text.slice(i, i + GROUP_CHARS));
  return groups.join(' ');
}

/**
 * Parses what a person typed: case, spaces and hyphens are ignored. DecodeError for a wrong
 * length, a character outside base32, or a checksum mismatch (a typing mistake).
 */
export async function parseRecoveryKey(text: string): Promise<Uint8Array> {
  const bytes = parseBase32Text(text, 'recovery key');
  if (bytes.length !== RECOVERY_KEY_BYTES + CHECKSUM_BYTES) {
    throw new DecodeError(
      `a recovery key has ${RECOVERY_KEY_BYTES + CHECKSUM_BYTES} bytes, the text gives ${bytes.length}`,
    );
  }
  const key = bytes.slice(0, RECOVERY_KEY_BYTES);
  if (!constantTimeEqual(bytes.slice(RECOVERY_KEY_BYTES), await checksum(key))) {
    throw new DecodeError('the recovery key checksum does not match: check the characters for a typing mistake');
  }
  return key;
}

export interface RecoveryKeys {
  /** Non-extractable AES-256-GCM key for the AIK seed backup. */
  readonly wrapKey: CryptoKey;
  /** Signs an account key rotation when no owner device is left; its public key goes in the device list. */
  readonly signing: Ed25519KeyPair;
}

/** RFC 5869: HKDF-SHA-256(ikm = recovery key, salt = account id, info = label, L = 32), twice. */
export async function deriveRecoveryKeys(recoveryKey: Uint8Array, accountId: AccountId): Promise<RecoveryKeys> {
  requireRecoveryKey(recoveryKey);
  const salt = asAccountId(accountId);
  const wrapBytes = await hkdfSha256(recoveryKey, salt, utf8Encode(IDENTITY_LABELS.recoveryWrap), 32);
  const signingSeed = await hkdfSha256(
    recoveryKey,
    salt,
    utf8Encode(IDENTITY_LABELS.recoverySigning),
    ED25519_SECRET_BYTES,
  );
  try {
    const wrapKey = await importAesGcmKey(wrapBytes);
    const signing = await ed25519KeyPairFromSeed(signingSeed);
    return { wrapKey, signing };
  } finally {
    wipe(wrapBytes);
    wipe(signingSeed);
  }
}

function backupAad(accountId: AccountId): Uint8Array {
  // PROTOCOL §11.2: AAD binds version, suite and account id, so a backup cannot be replayed for another account.
  return labelled(IDENTITY_LABELS.recoveryBackupAad, concatBytes(new Uint8Array([WIRE_VERSION, SUITE_V1]), accountId));
}

/** Wraps the AIK seed (from createAccountIdentity) under the recovery key; random 96-bit IV (SP 800-38D §8.2.2). */
export async function wrapIdentityBackup(
  recoveryKey: Uint8Array,
  accountId: AccountId,
  seed: Uint8Array,
  env: ProtocolEnv,
): Promise<Uint8Array> {
  if (seed.length !== ED25519_SECRET_BYTES)
    throw new InvalidKeyError(`the AIK seed must be ${ED25519_SECRET_BYTES} bytes, got ${seed.length}`);
  const { wrapKey } = await deriveRecoveryKeys(recoveryKey, accountId);
  const iv = env.rng(GCM_IV_BYTES);
  const ciphertext = await aesGcmEncrypt(wrapKey, iv, seed, backupAad(accountId));
  return encodeIdentityBackup({ accountId: asAccountId(accountId), iv, ciphertext });
}

/**
 * Opens a backup: DecodeError for malformed bytes, DecryptError for a wrong recovery key, a
 * backup of another account, or any tampering. Returns the rebuilt account identity.
 */
export async function restoreAccountIdentity(
  recoveryKey: Uint8Array,
  accountId: AccountId,
  backupBytes: Uint8Array,
): Promise<AccountIdentity> {
  const backup = decodeIdentityBackup(backupBytes);
  if (!idEquals(backup.accountId, asAccountId(accountId)))
    throw new DecryptError('the backup belongs to another account');
  const { wrapKey } = await deriveRecoveryKeys(recoveryKey, accountId);
  const seed = await aesGcmDecrypt(wrapKey, backup.iv, backup.ciphertext, backupAad(backup.accountId));
  try {
    if (seed.length !== ED25519_SECRET_BYTES) throw new DecryptError('the backup does not hold an account key seed');
    return await accountIdentityFromSeed(backup.accountId, seed);
  } finally {
    wipe(seed);
  }
}
