/**
 * History records under the inbox archive key (docs/PROTOCOL.md §9.2; security brief §3 "History
 * for agents", F11, F15; issue #17 item 8). A record is something the author device already
 * decrypted (a message, a note) and stores at the relay for later; it is sealed with AES-256-GCM
 * under a key derived from the current archive key, with a random 96-bit IV (SP 800-38D §8.2.2)
 * and a per-device usage cap (SP 800-38D §8.3), and signed by its author device:
 *
 *   recordKey = HKDF-SHA-256(ikm = archive key, salt = accountId,
 *                            info = "sealdesk/v2/archive/record-key" || 0x00 || u32 epoch || keyId, L = 32)
 *               (archive-record-key.ts: derived once per epoch key)
 *   signature = Ed25519(author signing key, "sealdesk/v2/history-record" || 0x00 || recordSigned)
 *
 * A reader accepts a record only from a device listed in the verified device list of the record's
 * epoch, with a valid signature: the relay (which stores records) cannot forge or re-attribute one.
 */
import { aesGcmDecrypt, aesGcmEncrypt, constantTimeEqual, ed25519Sign, ed25519Verify } from '../../crypto/index.js';
import { DecryptError, LimitError, SignatureError } from '../../errors/index.js';
import { decode, encode, type DeviceId } from '../../wire/index.js';
import { type ProtocolEnv, ProtocolStateError, UnauthorisedDeviceError } from '../core/index.js';
import { ARCHIVE_LABELS, archiveLabelled } from './archive-labels.js';
import {
  ARCHIVE_LIMITS,
  type ArchiveKey,
  type HistoryRecordBody,
  historyRecordAadCodec,
  historyRecordCodec,
  historyRecordSignedCodec,
} from './archive-codec.js';
import { findArchiveDevice } from './archive-device-set.js';
import { type ArchiveKeyring, currentArchiveKey, findArchiveKey } from './archive-keyring.js';
import { type SealedBoxSender } from './sealed-box.js';
import { archiveRecordKey } from './archive-record-key.js';

/** A device that may have written records of one epoch: an entry of the verified list of that version. */
export interface HistoryRecordAuthor {
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
}

/**
 * The devices of the verified signed device list whose version is `epoch`, or undefined when the
 * reader has not verified that list (fetch it from the directory; PROTOCOL §4.4).
 */
export type HistoryRecordAuthorsAt = (epoch: number) => readonly HistoryRecordAuthor[] | undefined;

function recordAad(keyring: ArchiveKeyring, key: ArchiveKey, author: DeviceId, recordId: Uint8Array): Uint8Array {
  return archiveLabelled(
    ARCHIVE_LABELS.recordAad,
    encode(historyRecordAadCodec, {
      accountId: keyring.accountId,
      epoch: key.epoch,
      keyId: key.keyId,
      author,
      recordId,
    }),
  );
}

function signedBytes(keyring: ArchiveKeyring, recordId: Uint8Array, body: HistoryRecordBody): Uint8Array {
  return archiveLabelled(
    ARCHIVE_LABELS.historyRecord,
    encode(historyRecordSignedCodec, { accountId: keyring.accountId, recordId, body }),
  );
}

function checkRecordId(recordId: Uint8Array): void {
  if (recordId.length > ARCHIVE_LIMITS.maxRecordIdBytes) {
    throw new LimitError(`record id of ${recordId.length} bytes exceeds ${ARCHIVE_LIMITS.maxRecordIdBytes}`);
  }
}

/**
 * Seals and signs one history record under the current archive key (§9.1). `author` is this
 * device (its id and signing key pair), which must be listed in the keyring's device list
 * (UnauthorisedDeviceError). `recordId` (e.g. conversation id and message number) is bound into the
 * associated data and the signature, so records cannot be swapped between slots. Returns the new
 * keyring (usage count + 1): save it before storing the record. ArchiveKeyPendingError when no
 * current key is held yet; LimitError at the usage cap (the owner makes a new epoch).
 */
export async function sealHistoryRecord(
  keyring: ArchiveKeyring,
  env: ProtocolEnv,
  author: SealedBoxSender,
  recordId: Uint8Array,
  plaintext: Uint8Array,
): Promise<{ readonly keyring: ArchiveKeyring; readonly record: Uint8Array }> {
  checkRecordId(recordId);
  if (plaintext.length > ARCHIVE_LIMITS.maxRecordPlaintextBytes) {
    throw new LimitError(
      `history record of ${plaintext.length} bytes exceeds ${ARCHIVE_LIMITS.maxRecordPlaintextBytes}`,
    );
  }
  const listed = findArchiveDevice(keyring.devices, author.deviceId);
  if (listed === undefined || !constantTimeEqual(listed.signingKey, author.signing.publicKey)) {
    throw new UnauthorisedDeviceError('the sealing device is not in the verified device list with this signing key');
  }
  const key = currentArchiveKey(keyring);
  const used = constantTimeEqual(keyring.usageKeyId, key.keyId) ? keyring.usageCount : 0;
  // SP 800-38D §8.3: random-IV invocations per key are capped; past the cap the key must rotate.
  if (used >= ARCHIVE_LIMITS.maxRecordsPerKeyPerDevice) {
    throw new LimitError('archive key usage cap reached: the owner must make a new archive epoch first');
  }
  const iv = env.rng(12);
  const ciphertext = await aesGcmEncrypt(
    await archiveRecordKey(keyring.accountId, key),
    iv,
    plaintext,
    recordAad(keyring, key, author.deviceId, recordId),
  );
  const body: HistoryRecordBody = { epoch: key.epoch, keyId: key.keyId, author: author.deviceId, iv, ciphertext };
  const signature = await ed25519Sign(author.signing.privateKey, signedBytes(keyring, recordId, body));
  const record = encode(historyRecordCodec, { body, signature });
  return { keyring: { ...keyring, usageKeyId: key.keyId, usageCount: used + 1 }, record };
}

/**
 * Opens a history record (§9.2). Checks, in order: strict decoding (DecodeError); that the author
 * is listed at the record's epoch (`authorsAt`; by default the keyring's own list, for epochs
 * from its `changeVersion` on: ProtocolStateError when that list is unknown,
 * UnauthorisedDeviceError when the author is not in it); the author's signature (SignatureError:
 * forged or re-attributed); that this device holds the epoch (ProtocolStateError, e.g. removed
 * before it); then AES-GCM (DecryptError: tampered, or stored under another record id).
 */
export async function openHistoryRecord(
  keyring: ArchiveKeyring,
  recordId: Uint8Array,
  record: Uint8Array,
  authorsAt?: HistoryRecordAuthorsAt,
): Promise<{ readonly plaintext: Uint8Array; readonly author: DeviceId }> {
  checkRecordId(recordId);
  const { body, signature } = decode(historyRecordCodec, record, 'historyRecord');
  const authors =
    authorsAt === undefined
      ? body.epoch >= keyring.changeVersion && body.epoch <= keyring.listVersion
        ? keyring.devices
        : undefined
      : authorsAt(body.epoch);
  if (authors === undefined) {
    throw new ProtocolStateError(`no verified device list of version ${body.epoch} to check the record's author`);
  }
  const author = authors.find((a) => constantTimeEqual(a.deviceId, body.author));
  if (author === undefined)
    throw new UnauthorisedDeviceError(`history record author is not listed at epoch ${body.epoch}`);
  if (!(await ed25519Verify(author.signingKey, signedBytes(keyring, recordId, body), signature))) {
    throw new SignatureError('history record signature does not verify with its author’s device key');
  }
  const key = findArchiveKey(keyring, body.epoch, body.keyId);
  if (key === undefined) throw new ProtocolStateError(`this device holds no archive key for epoch ${body.epoch}`);
  try {
    const plaintext = await aesGcmDecrypt(
      await archiveRecordKey(keyring.accountId, key),
      body.iv,
      body.ciphertext,
      recordAad(keyring, key, body.author, recordId),
    );
    return { plaintext, author: body.author };
  } catch (error) {
    if (error instanceof DecryptError)
      throw new DecryptError('history record does not authenticate (tampered, or stored under another record id)', {
        cause: error,
      });
    throw error;
  }
}
