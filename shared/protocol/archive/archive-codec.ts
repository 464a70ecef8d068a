/**
 * Byte layouts of the inbox archive (docs/PROTOCOL.md §9.2–§9.4).
 *
 *   archiveKey   = u32 epoch | keyId[16] | key[32]
 *   grantPayload = u8 version | u8 suite | accountId[16] | u32 count | archiveKey * count  (count <= 256)
 *   record       = u8 version | u8 suite | u32 epoch | keyId[16] | iv[12] | u32 length | ciphertext
 *   recordAad    = "sealdesk/v2/archive/record-aad" || 0x00 ||
 *                  (u8 version | u8 suite | accountId[16] | u32 epoch | keyId[16] | u32 length | recordId)
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
} from '../../wire/index.js';
import { versioned } from '../core/index.js';

export const ARCHIVE_LIMITS = {
  /** Archive keys one device keeps (one per epoch; concurrent rotations may add a second). */
  maxKeyringKeys: 4096,
  /**
   * How far past the highest epoch already held a received key may be (each key of a grant, in
   * epoch order). Keeps a listed-but-malicious device from pushing the epoch counter to 2^32-1,
   * which would make the rotation on its own later removal impossible (F11).
   */
  maxEpochJump: 8,
  /** Archive keys in one sealed grant; more are sent as several grants. */
  maxKeysPerGrant: 256,
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

/** One epoch of the inbox archive key. `key` is secret; epoch and keyId are public. */
export interface ArchiveKey {
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly key: Uint8Array;
}

export interface ArchiveGrantPayload {
  readonly accountId: AccountId;
  readonly keys: readonly ArchiveKey[];
}

export interface HistoryRecord {
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface HistoryRecordAad {
  readonly accountId: AccountId;
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly recordId: Uint8Array;
}

export const archiveKeyCodec: Codec<ArchiveKey> = struct<ArchiveKey>({
  epoch: u32,
  keyId: fixedBytes(ARCHIVE_KEY_ID_BYTES),
  key: fixedBytes(ARCHIVE_KEY_BYTES),
});

export const archiveGrantPayloadCodec: Codec<ArchiveGrantPayload> = versioned(
  struct<ArchiveGrantPayload>({
    accountId: accountIdCodec,
    keys: list(archiveKeyCodec, ARCHIVE_LIMITS.maxKeysPerGrant),
  }),
);

export const historyRecordCodec: Codec<HistoryRecord> = versioned(
  struct<HistoryRecord>({
    epoch: u32,
    keyId: fixedBytes(ARCHIVE_KEY_ID_BYTES),
    iv: fixedBytes(12),
    ciphertext: varBytes(ARCHIVE_LIMITS.maxRecordPlaintextBytes + 16),
  }),
);

export const historyRecordAadCodec: Codec<HistoryRecordAad> = versioned(
  struct<HistoryRecordAad>({
    accountId: accountIdCodec,
    epoch: u32,
    keyId: fixedBytes(ARCHIVE_KEY_ID_BYTES),
    recordId: varBytes(ARCHIVE_LIMITS.maxRecordIdBytes),
  }),
);
