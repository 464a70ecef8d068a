/**
 * The §9.2 record key of one archive epoch key, derived and imported once instead of per record:
 *
 *   recordKey = HKDF-SHA-256(ikm = key, salt = accountId, info = "sealdesk/v2/archive/record-key"
 *                            || 0x00 || u32be(epoch) || keyId, L = 32)
 *
 * It depends only on those inputs, so a device sealing a record of every message it shows (and
 * opening the team's) derives the same key each time. The non-extractable AES-GCM key is kept per
 * epoch key object and used again only while every input is byte for byte the one it was derived
 * from (a changed key, account id, epoch or key id derives again; never a stale key).
 */
import { concatBytes, constantTimeEqual, hkdfSha256, importAesGcmKey, wipe } from '../../crypto/index.js';
import { encode, u32 } from '../../wire/index.js';
import { ARCHIVE_LABELS, archiveLabelled } from './archive-labels.js';
import type { ArchiveKey } from './archive-codec.js';

interface Derived {
  /** Copies of the inputs the key was derived from. */
  readonly ikm: Uint8Array;
  readonly accountId: Uint8Array;
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly key: Promise<CryptoKey>;
}

const derived = new WeakMap<ArchiveKey, Derived>();

function sameInputs(d: Derived, accountId: Uint8Array, key: ArchiveKey): boolean {
  return (
    d.epoch === key.epoch &&
    constantTimeEqual(d.keyId, key.keyId) &&
    constantTimeEqual(d.accountId, accountId) &&
    constantTimeEqual(d.ikm, key.key)
  );
}

async function derive(accountId: Uint8Array, key: ArchiveKey): Promise<CryptoKey> {
  const info = archiveLabelled(ARCHIVE_LABELS.recordKey, concatBytes(encode(u32, key.epoch), key.keyId));
  const bytes = await hkdfSha256(key.key, accountId, info, 32);
  try {
    return await importAesGcmKey(bytes);
  } finally {
    wipe(bytes);
  }
}

/** The AES-256-GCM record key of `key` in the account `accountId` (PROTOCOL §9.2). */
export function archiveRecordKey(accountId: Uint8Array, key: ArchiveKey): Promise<CryptoKey> {
  const known = derived.get(key);
  if (known !== undefined && sameInputs(known, accountId, key)) return known.key;
  const made = derive(accountId, key);
  const entry: Derived = {
    ikm: key.key.slice(),
    accountId: accountId.slice(),
    epoch: key.epoch,
    keyId: key.keyId.slice(),
    key: made,
  };
  derived.set(key, entry);
  // A failed derivation is tried again by the next call, not remembered.
  made.catch(() => {
    if (derived.get(key) === entry) derived.delete(key);
  });
  return made;
}
