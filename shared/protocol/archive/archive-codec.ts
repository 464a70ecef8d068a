/**
 * Byte layouts of the inbox archive (docs/PROTOCOL.md §9.1–§9.3).
 *
 *   archiveKey     = u32 epoch | keyId[16] | key[32] | signature[64]    (AIK signature over the epoch statement)
 *   epochStatement = u8 version | u8 suite | accountId[16] | u32 epoch | keyId[16] | commitment[32]
 *   grantPayload   = u8 version | u8 suite | accountId[16] | u32 count | archiveKey * count  (count <= 128)
 *   record         = u8 version | u8 suite | u32 epoch | keyId[16] | author[16] | iv[12] | u32 length | ciphertext
 *                    | signature[64]
 *   recordAad      = "sealdesk/v2/archive/record-aad" || 0x00 ||
 *                    (u8 version | u8 suite | accountId[16] | u32 epoch | keyId[16] | author[16] | u32 length | recordId)
 *   recordSigned   = "sealdesk/v2/history-record" || 0x00 ||
 *                    (u8 version | u8 suite | accountId[16] | u32 length | recordId | u32 epoch | keyId[16]
 *                     | author[16] | iv[12] | u32 length | ciphertext)
 */
import {
  type Codec,
  fixedBytes,
  list,
  struct,
  u32,
  varBytes,
  type AccountId,
  accountIdCodec,
  type DeviceId,
  deviceIdCodec,
} from '../../wire/index.js';
import { versioned } from '../core/index.js';

export const ARCHIVE_LIMITS = {
  /** Archive keys one device keeps (one per epoch), held-back keys included. */
  maxKeyringKeys: 4096,
  /** Keys for epochs newer than the device's verified list, held back until that list arrives (§9.1). */
  maxPendingKeys: 64,
  /** Archive keys in one sealed grant; more are sent as several grants (fits a 16 KiB sealed box). */
  maxKeysPerGrant: 128,
  /**
   * Records one device may seal under one archive key. Random 96-bit IVs: SP 800-38D §8.3 caps
   * all invocations of one key at 2^32; 64 devices (LIMITS.maxDevicesPerList) × 2^24 = 2^30.
   */
  maxRecordsPerKeyPerDevice: 2 ** 24,
  /** Largest history record plaintext. */
  maxRecordPlaintextBytes: 1_048_576,
  /** Largest caller-chosen record id bound into the associated data. */
  maxRecordIdBytes: 64,
} as const;

export const ARCHIVE_KEY_BYTES = 32;
export const ARCHIVE_KEY_ID_BYTES = 16;
export const ARCHIVE_SIGNATURE_BYTES = 64;

/**
 * One epoch of the inbox archive key. `key` is secret; epoch and keyId are public. The epoch is
 * the version of the signed device list at which the account key holder made the key, and
 * `signature` is that account key's signature over the epoch statement (§9.1).
 */
export interface ArchiveKey {
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly key: Uint8Array;
  readonly signature: Uint8Array;
}

/** What the account key signs for one epoch key: never the key itself, only a commitment to it. */
export interface ArchiveEpochStatement {
  readonly accountId: AccountId;
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly commitment: Uint8Array;
}

export interface ArchiveGrantPayload {
  readonly accountId: AccountId;
  readonly keys: readonly ArchiveKey[];
}

export interface HistoryRecordBody {
  readonly epoch: number;
  readonly keyId: Uint8Array;
  /** The device that sealed the record; it signs it with its device signing key (§9.2). */
  readonly author: DeviceId;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface HistoryRecord {
  readonly body: HistoryRecordBody;
  readonly signature: Uint8Array;
}

export interface HistoryRecordAad {
  readonly accountId: AccountId;
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly author: DeviceId;
  readonly recordId: Uint8Array;
}

export interface HistoryRecordSigned {
  readonly accountId: AccountId;
  readonly recordId: Uint8Array;
  readonly body: HistoryRecordBody;
}

export const archiveKeyCodec: Codec<ArchiveKey> = struct<ArchiveKey>({
  epoch: u32,
  keyId: fixedBytes(ARCHIVE_KEY_ID_BYTES),
  key: fixedBytes(ARCHIVE_KEY_BYTES),
  signature: fixedBytes(ARCHIVE_SIGNATURE_BYTES),
});

export const archiveEpochStatementCodec: Codec<ArchiveEpochStatement> = versioned(
  struct<ArchiveEpochStatement>({
    accountId: accountIdCodec,
    epoch: u32,
    keyId: fixedBytes(ARCHIVE_KEY_ID_BYTES),
    commitment: fixedBytes(32),
  }),
);

export const archiveGrantPayloadCodec: Codec<ArchiveGrantPayload> = versioned(
  struct<ArchiveGrantPayload>({
    accountId: accountIdCodec,
    keys: list(archiveKeyCodec, ARCHIVE_LIMITS.maxKeysPerGrant),
  }),
);

const historyRecordBodyFields = {
  epoch: u32,
  keyId: fixedBytes(ARCHIVE_KEY_ID_BYTES),
  author: deviceIdCodec,
  iv: fixedBytes(12),
  ciphertext: varBytes(ARCHIVE_LIMITS.maxRecordPlaintextBytes + 16),
};

const historyRecordBodyCodec: Codec<HistoryRecordBody> = struct<HistoryRecordBody>(historyRecordBodyFields);

export const historyRecordCodec: Codec<HistoryRecord> = versioned(
  struct<HistoryRecord>({ body: historyRecordBodyCodec, signature: fixedBytes(ARCHIVE_SIGNATURE_BYTES) }),
);

export const historyRecordAadCodec: Codec<HistoryRecordAad> = versioned(
  struct<HistoryRecordAad>({
    accountId: accountIdCodec,
    epoch: u32,
    keyId: fixedBytes(ARCHIVE_KEY_ID_BYTES),
    author: deviceIdCodec,
    recordId: varBytes(ARCHIVE_LIMITS.maxRecordIdBytes),
  }),
);

export const historyRecordSignedCodec: Codec<HistoryRecordSigned> = versioned(
  struct<HistoryRecordSigned>({
    accountId: accountIdCodec,
    recordId: varBytes(ARCHIVE_LIMITS.maxRecordIdBytes),
    body: historyRecordBodyCodec,
  }),
);
