/**
 * The inbox archive keyring (docs/PROTOCOL.md §9.1; security brief §3 "History for agents", F11;
 * issue #9 item 1).
 *
 * A keyring is plain, structured-cloneable state: every archive key this device holds, each
 * signed by the account key (AIK) for its epoch; the keys for epochs newer than its verified
 * device list, held back until that list arrives; the device set of that list and the version of
 * the newest list that changed it (`changeVersion`); the account keys by the list version they
 * took over at; and how many records this device sealed under the current key (usage cap, F15).
 *
 * The current key (the only one records are sealed under) is the held key of the highest epoch
 * with changeVersion <= epoch <= listVersion. The owner makes an epoch key when it signs a list
 * that changes the device set and grants it only to that list's devices, so no device removed by
 * that list — or earlier — ever holds the current key. Without such a key, sealing waits
 * (ArchiveKeyPendingError). Transitions return a new keyring and never mutate their input.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { LimitError, SignatureError, UsageError } from '../../errors/index.js';
import { MAX_U32, type AccountId, idEquals } from '../../wire/index.js';
import { ProtocolStateError } from '../core/index.js';
import { ARCHIVE_KEY_BYTES, ARCHIVE_KEY_ID_BYTES, ARCHIVE_LIMITS, type ArchiveKey } from './archive-codec.js';
import {
  type ArchiveDevice,
  type ArchiveDeviceList,
  archiveDeviceSetChanged,
  archiveDevicesOf,
} from './archive-device-set.js';
import { sameArchiveKey, verifyArchiveEpochKey } from './archive-epoch.js';
import { ArchiveKeyPendingError } from './archive-errors.js';

export const ARCHIVE_KEYRING_VERSION = 2;
/** Account keys remembered (one per account key rotation, §11.3). */
export const ARCHIVE_MAX_ACCOUNT_KEYS = 16;

/** An account key and the first list version it signed. */
export interface ArchiveAccountKey {
  readonly fromVersion: number;
  readonly key: Uint8Array;
}

export interface ArchiveKeyring {
  readonly version: typeof ARCHIVE_KEYRING_VERSION;
  readonly accountId: AccountId;
  /** Account-signed keys with epoch <= listVersion, sorted by epoch (one key per epoch). */
  readonly keys: readonly ArchiveKey[];
  /** Account-signed keys with epoch > listVersion: held back, never used, until that list is applied. */
  readonly pending: readonly ArchiveKey[];
  /** Version of the newest verified device list applied. */
  readonly listVersion: number;
  /** Version of the newest applied list that changed the device set: no older key is sealed under. */
  readonly changeVersion: number;
  /** The device set of list `listVersion`. */
  readonly devices: readonly ArchiveDevice[];
  /** Account keys by the list version they took over at, oldest first. */
  readonly accountKeys: readonly ArchiveAccountKey[];
  /** Records this device sealed under the key named by `usageKeyId` (the current key). */
  readonly usageKeyId: Uint8Array;
  readonly usageCount: number;
}

function checkKeyShape(key: ArchiveKey): void {
  if (!Number.isInteger(key.epoch) || key.epoch < 1 || key.epoch > MAX_U32)
    throw new UsageError('archive epoch must be in 1..2^32-1');
  if (key.keyId.length !== ARCHIVE_KEY_ID_BYTES || key.key.length !== ARCHIVE_KEY_BYTES) {
    throw new UsageError('archive key must be 32 bytes with a 16-byte key id');
  }
}

function copyKey(key: ArchiveKey): ArchiveKey {
  return {
    epoch: key.epoch,
    keyId: new Uint8Array(key.keyId),
    key: new Uint8Array(key.key),
    signature: new Uint8Array(key.signature),
  };
}

const byEpoch = (a: ArchiveKey, b: ArchiveKey): number => a.epoch - b.epoch;

/** How a device starts its keyring (§9.1). */
export interface ArchiveKeyringStart {
  /**
   * Earlier account keys (from verified rotations, §11.3) with the list version each took over at;
   * without them, the first list's account key is taken to have signed every earlier epoch.
   */
  readonly accountKeyHistory?: readonly ArchiveAccountKey[];
  /**
   * Earlier verified lists of the same chain (e.g. those the directory view kept), to find the
   * newest device-set change; without them the keyring starts as if its first list changed the set.
   */
  readonly earlierLists?: readonly ArchiveDeviceList[];
}

/** §9.1: the version of the newest list of the chain ending at `list` that changed the device set, as far as it can be told. */
function newestChange(list: ArchiveDeviceList, earlier: readonly ArchiveDeviceList[]): number {
  const chain = [...earlier.filter((l) => l.version < list.version), list].sort((a, b) => a.version - b.version);
  for (let i = chain.length - 1; i > 0; i--) {
    const newer = chain[i];
    const older = chain[i - 1];
    if (newer === undefined || older === undefined) break;
    // A gap, or a change, ends the walk at the newer list (a gap is taken as a change: conservative).
    if (newer.version !== older.version + 1 || archiveDeviceSetChanged(older.devices, newer.devices))
      return newer.version;
  }
  return chain[0]?.version ?? list.version;
}

/**
 * A keyring with no key yet, following `list` (the newest verified list this device holds). Its
 * `changeVersion` is the newest device-set change among `start.earlierLists` and `list` (the list
 * itself when none are given: right for the list that added this device, and for an account's
 * first list).
 */
export function startArchiveKeyring(list: ArchiveDeviceList, start: ArchiveKeyringStart = {}): ArchiveKeyring {
  const history = (start.accountKeyHistory ?? []).map((k) => ({
    fromVersion: k.fromVersion,
    key: new Uint8Array(k.key),
  }));
  const last = history[history.length - 1];
  const accountKeys =
    last !== undefined && constantTimeEqual(last.key, list.accountKey)
      ? history
      : [...history, { fromVersion: history.length === 0 ? 1 : list.version, key: new Uint8Array(list.accountKey) }];
  if (accountKeys.length > ARCHIVE_MAX_ACCOUNT_KEYS)
    throw new LimitError(`more than ${ARCHIVE_MAX_ACCOUNT_KEYS} account keys`);
  if ((start.earlierLists ?? []).some((l) => !idEquals(l.accountId, list.accountId)))
    throw new ProtocolStateError('an earlier device list belongs to another account');
  return {
    version: ARCHIVE_KEYRING_VERSION,
    accountId: list.accountId,
    keys: [],
    pending: [],
    listVersion: list.version,
    changeVersion: newestChange(list, start.earlierLists ?? []),
    devices: archiveDevicesOf(list.devices),
    accountKeys,
    usageKeyId: new Uint8Array(ARCHIVE_KEY_ID_BYTES),
    usageCount: 0,
  };
}

/** The account key that signed list `version` (and so the epoch key of that version), if known. */
export function accountKeyAt(keyring: ArchiveKeyring, version: number): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  for (const k of keyring.accountKeys) if (k.fromVersion <= version) found = k.key;
  return found;
}

function newestAccountKey(keyring: ArchiveKeyring): Uint8Array | undefined {
  return keyring.accountKeys[keyring.accountKeys.length - 1]?.key;
}

async function verifyAt(keyring: ArchiveKeyring, key: ArchiveKey, accountKey: Uint8Array | undefined): Promise<void> {
  if (accountKey === undefined) throw new SignatureError(`no account key known for archive epoch ${key.epoch}`);
  await verifyArchiveEpochKey(keyring.accountId, accountKey, key);
}

/**
 * The key new records are sealed under (§9.1): the held key of the highest epoch in
 * [changeVersion, listVersion]. ArchiveKeyPendingError when there is none yet.
 */
export function currentArchiveKey(keyring: ArchiveKeyring): ArchiveKey {
  const last = keyring.keys[keyring.keys.length - 1];
  if (last === undefined || last.epoch < keyring.changeVersion) {
    throw new ArchiveKeyPendingError(
      `no archive key for epoch ${keyring.changeVersion} or later yet (device list version ${keyring.listVersion}): ` +
        'waiting for the owner’s grant; nothing is sealed under an older key',
    );
  }
  return last;
}

/** The held key of `epoch` / `keyId` (held-back keys excluded), or undefined. */
export function findArchiveKey(keyring: ArchiveKeyring, epoch: number, keyId: Uint8Array): ArchiveKey | undefined {
  return keyring.keys.find((k) => k.epoch === epoch && constantTimeEqual(k.keyId, keyId));
}

/**
 * Follows a newer verified device list (§9.1): records its device set, whether it changed the set
 * (then `changeVersion` = its version, so older keys are no longer sealed under), a new account
 * key, and moves held-back keys of epochs up to its version into the keyring (each checked under
 * the account key in force at its epoch; one that fails is dropped). An older or equal version
 * changes nothing. A list that skips versions AND changes the device set is a ProtocolStateError
 * (the device cannot tell which skipped list changed it): apply every link (§4.4).
 */
export async function applyArchiveDeviceList(
  keyring: ArchiveKeyring,
  list: ArchiveDeviceList,
): Promise<ArchiveKeyring> {
  if (!idEquals(list.accountId, keyring.accountId))
    throw new ProtocolStateError('device list belongs to another account');
  if (list.version <= keyring.listVersion) return keyring;
  const changed = archiveDeviceSetChanged(keyring.devices, list.devices);
  if (changed && list.version > keyring.listVersion + 1) {
    throw new ProtocolStateError(
      `device list version ${list.version} skips versions after ${keyring.listVersion} and changes the device set: ` +
        'apply every version in order',
    );
  }
  const newest = newestAccountKey(keyring);
  const accountKeys =
    newest !== undefined && constantTimeEqual(newest, list.accountKey)
      ? keyring.accountKeys
      : [...keyring.accountKeys, { fromVersion: list.version, key: new Uint8Array(list.accountKey) }];
  if (accountKeys.length > ARCHIVE_MAX_ACCOUNT_KEYS)
    throw new LimitError(`more than ${ARCHIVE_MAX_ACCOUNT_KEYS} account keys`);
  const next: ArchiveKeyring = {
    ...keyring,
    listVersion: list.version,
    changeVersion: changed ? list.version : keyring.changeVersion,
    devices: archiveDevicesOf(list.devices),
    accountKeys,
  };
  const promoted: ArchiveKey[] = [];
  const pending: ArchiveKey[] = [];
  for (const key of next.pending) {
    if (key.epoch > next.listVersion) {
      pending.push(key);
      continue;
    }
    try {
      await verifyAt(next, key, accountKeyAt(next, key.epoch));
      promoted.push(key);
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
    }
  }
  return { ...next, keys: [...next.keys, ...promoted].sort(byEpoch), pending };
}

/**
 * Adds received keys (from a grant) to a keyring (§9.1). Every key must carry the account key's
 * signature over its epoch statement (SignatureError otherwise): for an epoch up to the device's
 * list version, under the account key that signed that list; for a newer epoch, under the newest
 * account key, and it is held back. A key already held is skipped; another key for a held epoch is
 * a ProtocolStateError. On any error nothing is merged.
 */
export async function mergeArchiveKeys(
  keyring: ArchiveKeyring,
  accountId: AccountId,
  received: readonly ArchiveKey[],
): Promise<{ readonly keyring: ArchiveKeyring; readonly added: number }> {
  if (!idEquals(keyring.accountId, accountId)) throw new ProtocolStateError('archive keys belong to another account');
  const keys = [...keyring.keys];
  const pending = [...keyring.pending];
  let added = 0;
  for (const key of [...received].sort(byEpoch)) {
    checkKeyShape(key);
    const ahead = key.epoch > keyring.listVersion;
    await verifyAt(keyring, key, ahead ? newestAccountKey(keyring) : accountKeyAt(keyring, key.epoch));
    const held = [...keys, ...pending].find((k) => k.epoch === key.epoch);
    if (held !== undefined) {
      if (!sameArchiveKey(held, key)) {
        throw new ProtocolStateError(`two different account-signed archive keys for epoch ${key.epoch}`);
      }
      continue;
    }
    (ahead ? pending : keys).push(copyKey(key));
    added++;
  }
  if (pending.length > ARCHIVE_LIMITS.maxPendingKeys)
    throw new LimitError(`more than ${ARCHIVE_LIMITS.maxPendingKeys} archive keys held back`);
  if (keys.length + pending.length > ARCHIVE_LIMITS.maxKeyringKeys)
    throw new LimitError(`archive keyring would exceed ${ARCHIVE_LIMITS.maxKeyringKeys} keys`);
  return { keyring: { ...keyring, keys: keys.sort(byEpoch), pending: pending.sort(byEpoch) }, added };
}
