/**
 * Archive epochs belong to the account key (docs/PROTOCOL.md §9.1; issue #9 item 1, F11).
 *
 * The epoch of an archive key IS the version of the signed device list at which the account key
 * (AIK) holder made it, and the AIK signs each epoch key:
 *   commitment = SHA-256("sealdesk/v2/archive-epoch/commitment" || 0x00 || key)
 *   signature  = Ed25519(AIK, "sealdesk/v2/archive-epoch" || 0x00 ||
 *                        (u8 version | u8 suite | accountId[16] | u32 epoch | keyId[16] | commitment[32]))
 * No device can choose an epoch or a key id that others adopt: a key without this signature is refused.
 */
import { constantTimeEqual, type Ed25519KeyPair, ed25519Sign, ed25519Verify, sha256 } from '../../crypto/index.js';
import { SignatureError, UsageError } from '../../errors/index.js';
import { MAX_U32, encode, type AccountId } from '../../wire/index.js';
import { type ProtocolEnv } from '../core/index.js';
import {
  ARCHIVE_KEY_BYTES,
  ARCHIVE_KEY_ID_BYTES,
  type ArchiveKey,
  archiveEpochStatementCodec,
} from './archive-codec.js';
import { ARCHIVE_LABELS, archiveLabelled } from './archive-labels.js';

/** The labelled SHA-256 commitment to an archive key that its epoch statement carries. */
export async function archiveKeyCommitment(key: Uint8Array): Promise<Uint8Array> {
  return sha256(archiveLabelled(ARCHIVE_LABELS.epochCommitment, key));
}

/** The account key holder (identity's AccountIdentity fits): only it makes epoch keys. */
export interface ArchiveEpochSigner {
  readonly accountId: AccountId;
  readonly signing: Ed25519KeyPair;
}

async function statementBytes(accountId: AccountId, epoch: number, keyId: Uint8Array, key: Uint8Array) {
  const commitment = await archiveKeyCommitment(key);
  return archiveLabelled(
    ARCHIVE_LABELS.epoch,
    encode(archiveEpochStatementCodec, { accountId, epoch, keyId, commitment }),
  );
}

/**
 * A fresh archive key for `epoch` (the version of the device list the caller has just signed with
 * `identity`), signed by the account key. Only the AIK holder (an owner device) can call this.
 */
export async function createArchiveEpochKey(
  env: ProtocolEnv,
  identity: ArchiveEpochSigner,
  epoch: number,
): Promise<ArchiveKey> {
  if (!Number.isInteger(epoch) || epoch < 1 || epoch > MAX_U32)
    throw new UsageError('archive epoch must be in 1..2^32-1');
  const keyId = env.rng(ARCHIVE_KEY_ID_BYTES);
  const key = env.rng(ARCHIVE_KEY_BYTES);
  const signature = await ed25519Sign(
    identity.signing.privateKey,
    await statementBytes(identity.accountId, epoch, keyId, key),
  );
  return { epoch, keyId, key, signature };
}

/**
 * §9.1: SignatureError unless `accountKey` signed (accountId, epoch, keyId, commitment(key)). A key
 * made or altered by any device (epoch, key id or key bytes) fails here.
 */
export async function verifyArchiveEpochKey(
  accountId: AccountId,
  accountKey: Uint8Array,
  key: ArchiveKey,
): Promise<void> {
  const ok = await ed25519Verify(
    accountKey,
    await statementBytes(accountId, key.epoch, key.keyId, key.key),
    key.signature,
  );
  if (!ok) throw new SignatureError(`archive key of epoch ${key.epoch} is not signed by the account key`);
}

/** Same epoch, key id, key bytes and signature. */
export function sameArchiveKey(a: ArchiveKey, b: ArchiveKey): boolean {
  return (
    a.epoch === b.epoch &&
    constantTimeEqual(a.keyId, b.keyId) &&
    constantTimeEqual(a.key, b.key) &&
    constantTimeEqual(a.signature, b.signature)
  );
}
