/**
 * The AIK backup as the runtime stores and restores it (PROTOCOL §11.2, §16.8): sealed under the
 * recovery key's wrap key, signed by the AIK for the relay's access control, and on the way back
 * opened (AEAD) and checked against the key it opens to, so a relay that serves another blob — of
 * another account, an old key, or its own making — is caught before anything is changed.
 */
import { constantTimeEqual, ed25519Sign, ed25519Verify } from '../crypto/index.js';
import { DecryptError, SealdeskError, SignatureError } from '../errors/index.js';
import {
  type AccountIdentity,
  type ProtocolEnv,
  restoreAccountIdentity,
  wrapIdentityBackup,
} from '../protocol/index.js';
import type { IdentityBackupUpload } from '../transport/index.js';
import { type AccountId, identityBackupUploadMessage } from '../wire/index.js';

/** The recovery key typed in does not open the account's backup (wrong key, or a blob that is not this account's). */
export class RecoveryKeyRejectedError extends SealdeskError {
  readonly code = 'recovery-key-rejected';
}

/** Seals the AIK seed under the recovery key and signs the upload with the AIK (the seed is the caller's to wipe). */
export async function sealedBackupUpload(
  identity: AccountIdentity,
  seed: Uint8Array,
  recoveryKey: Uint8Array,
  env: ProtocolEnv,
): Promise<IdentityBackupUpload> {
  const backup = await wrapIdentityBackup(recoveryKey, identity.accountId, seed, env);
  const accountKey = identity.signing.publicKey;
  const message = identityBackupUploadMessage(identity.accountId, accountKey, backup);
  return { backup, accountKey, signature: await ed25519Sign(identity.signing.privateKey, message) };
}

/**
 * Opens what the relay served: RecoveryKeyRejectedError when the AEAD fails (§11.2: wrong key,
 * another account, tampering), SignatureError when the upload's key or signature is not the AIK's.
 */
export async function openBackupUpload(
  recoveryKey: Uint8Array,
  accountId: AccountId,
  upload: IdentityBackupUpload,
): Promise<AccountIdentity> {
  let identity: AccountIdentity;
  try {
    identity = await restoreAccountIdentity(recoveryKey, accountId, upload.backup);
  } catch (error) {
    if (!(error instanceof DecryptError)) throw error;
    throw new RecoveryKeyRejectedError(
      "this recovery key does not open the account's key backup: check the key (if it is right, the service sent a backup that is not this account's)",
      { cause: error },
    );
  }
  const accountKey = identity.signing.publicKey;
  const message = identityBackupUploadMessage(accountId, accountKey, upload.backup);
  if (
    !constantTimeEqual(upload.accountKey, accountKey) ||
    !(await ed25519Verify(accountKey, message, upload.signature))
  )
    throw new SignatureError('the stored backup was not uploaded by the account key it holds: the service altered it');
  return identity;
}
