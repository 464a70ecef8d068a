/**
 * History records under the inbox archive key (docs/PROTOCOL.md §9.3; security brief §3
 * "History for agents", F11, F15). A record is something this device already decrypted (a
 * message, a note) and stores for later; it is sealed with AES-256-GCM under a key derived from
 * the current archive key, with a random 96-bit IV (SP 800-38D §8.2.2) and a per-device usage cap
 * (SP 800-38D §8.3: at most 2^32 invocations per key across all devices).
 *
 *   recordKey = HKDF-SHA-256(ikm = archive key, salt = accountId,
 *                            info = "sealdesk/v2/archive/record-key" || 0x00 || u32 epoch || keyId, L = 32)
 */
import { aesGcmDecrypt, aesGcmEncrypt, concatBytes, constantTimeEqual, hkdfSha256 } from '../../crypto/index.js';
import { DecryptError, LimitError } from '../../errors/index.js';
import { decode, encode, u32 } from '../../wire/index.js';
import { ARCHIVE_LABELS, archiveLabelled } from './archive-labels.js';
import { ARCHIVE_LIMITS, type ArchiveKey, historyRecordAadCodec, historyRecordCodec } from './archive-codec.js';
import { type ArchiveKeyring, currentArchiveKey, findArchiveKey } from './archive-keyring.js';
import { type ProtocolEnv, ProtocolStateError } from '../core/index.js';

async function recordKey(keyring: ArchiveKeyring, key: ArchiveKey): Promise<Uint8Array> {
  return hkdfSha256(
    key.key,
    keyring.accountId,
    archiveLabelled(ARCHIVE_LABELS.recordKey, concatBytes(encode(u32, key.epoch), key.keyId)),
    32,
  );
}

function recordAad(keyring: ArchiveKeyring, key: ArchiveKey, recordId: Uint8Array): Uint8Array {
  return archiveLabelled(
    ARCHIVE_LABELS.recordAad,
    encode(historyRecordAadCodec, { accountId: keyring.accountId, epoch: key.epoch, keyId: key.keyId, recordId }),
  );
}

function checkRecordId(recordId: Uint8Array): void {
  if (recordId.length > ARCHIVE_LIMITS.maxRecordIdBytes) {
    throw new LimitError(`record id of ${recordId.length} bytes exceeds ${ARCHIVE_LIMITS.maxRecordIdBytes}`);
  }
}

/**
 * Seals one history record under the current archive key. `recordId` (e.g. conversation id and
 * message number) is bound into the associated data, so records cannot be swapped between slots.
 * Returns the new keyring (usage count + 1): save it before storing the record. LimitError when
 * the usage cap is reached (rotate the archive key first).
 */
export async function sealHistoryRecord(
  keyring: ArchiveKeyring,
  env: ProtocolEnv,
  recordId: Uint8Array,
  plaintext: Uint8Array,
): Promise<{ readonly keyring: ArchiveKeyring; readonly record: Uint8Array }> {
  checkRecordId(recordId);
  if (plaintext.length > ARCHIVE_LIMITS.maxRecordPlaintextBytes) {
    throw new LimitError(
      `history record of ${plaintext.length} bytes exceeds ${ARCHIVE_LIMITS.maxRecordPlaintextBytes}`,
    );
  }
  const key = currentArchiveKey(keyring);
  const used = constantTimeEqual(keyring.usageKeyId, key.keyId) ? keyring.usageCount : 0;
  // SP 800-38D §8.3: random-IV invocations per key are capped; past the cap the key must rotate.
  if (used >= ARCHIVE_LIMITS.maxRecordsPerKeyPerDevice) {
    throw new LimitError('archive key usage cap reached: rotate the archive key before sealing more records');
  }
  const iv = env.rng(12);
  const ciphertext = await aesGcmEncrypt(
    await recordKey(keyring, key),
    iv,
    plaintext,
    recordAad(keyring, key, recordId),
  );
  const record = encode(historyRecordCodec, { epoch: key.epoch, keyId: key.keyId, iv, ciphertext });
  return { keyring: { ...keyring, usageKeyId: key.keyId, usageCount: used + 1 }, record };
}

/**
 * Opens a history record. DecodeError for malformed bytes, ProtocolStateError when this device
 * does not hold the record's epoch (e.g. it was removed before that epoch), DecryptError when the
 * record, its id or its key do not authenticate.
 */
export async function openHistoryRecord(
  keyring: ArchiveKeyring,
  recordId: Uint8Array,
  record: Uint8Array,
): Promise<Uint8Array> {
  checkRecordId(recordId);
  const parsed = decode(historyRecordCodec, record, 'historyRecord');
  const key = findArchiveKey(keyring, parsed.epoch, parsed.keyId);
  if (key === undefined) throw new ProtocolStateError(`this device holds no archive key for epoch ${parsed.epoch}`);
  try {
    return await aesGcmDecrypt(
      await recordKey(keyring, key),
      parsed.iv,
      parsed.ciphertext,
      recordAad(keyring, key, recordId),
    );
  } catch (error) {
    if (error instanceof DecryptError)
      throw new DecryptError('history record does not authenticate (tampered, or stored under another record id)', {
        cause: error,
      });
    throw error;
  }
}
