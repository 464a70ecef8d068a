/**
 * Making, distributing and rotating the inbox archive key (docs/PROTOCOL.md §9.1, §9.4–§9.5;
 * security brief §3 "History for agents", F11; issue #9 item 1).
 *
 * - Only the account key (AIK) holder makes an epoch key, when it signs a device list that changes
 *   the device set; the epoch is that list's version and the AIK signs the key (archive-epoch.ts).
 * - A grant is a sealed box (sealed-box.ts, purpose archiveKeys) to one device of the verified
 *   list, signed by the distributing device: any listed device may forward keys (device linking
 *   hands a new device every epoch), but only account-signed keys are accepted.
 * - F11: the epoch key of a list that removed a device is granted ONLY to the devices of that list.
 */
import { decode, encode, type DeviceId, idEquals } from '../../wire/index.js';
import { UsageError } from '../../errors/index.js';
import { constantTimeEqual } from '../../crypto/index.js';
import { type ProtocolEnv, ProtocolStateError } from '../core/index.js';
import { ARCHIVE_LIMITS, type ArchiveKey, archiveGrantPayloadCodec } from './archive-codec.js';
import { type ArchiveDeviceList, archiveDeviceSetChanged, findArchiveDevice } from './archive-device-set.js';
import { type ArchiveEpochSigner, createArchiveEpochKey } from './archive-epoch.js';
import {
  type ArchiveKeyring,
  type ArchiveKeyringStart,
  applyArchiveDeviceList,
  currentArchiveKey,
  mergeArchiveKeys,
  startArchiveKeyring,
} from './archive-keyring.js';
import {
  type SealedBoxOwner,
  type SealedBoxRecipient,
  type SealedBoxSender,
  openSealedBox,
  sealToDevice,
} from './sealed-box.js';
import { SEALED_BOX_PURPOSES } from './sealed-box-codec.js';

/** One sealed grant, to be delivered to `recipientDeviceId`. */
export interface ArchiveKeyGrant {
  readonly recipientDeviceId: DeviceId;
  readonly sealed: Uint8Array;
}

/** Which keys a grant carries: only the current epoch (rotation) or every epoch held (a new device). */
export const ARCHIVE_GRANT_SCOPES = { current: 'current', all: 'all' } as const;
export type ArchiveGrantScope = (typeof ARCHIVE_GRANT_SCOPES)[keyof typeof ARCHIVE_GRANT_SCOPES];

function batches(keys: readonly ArchiveKey[]): ArchiveKey[][] {
  const out: ArchiveKey[][] = [];
  for (let i = 0; i < keys.length; i += ARCHIVE_LIMITS.maxKeysPerGrant)
    out.push(keys.slice(i, i + ARCHIVE_LIMITS.maxKeysPerGrant));
  return out;
}

function checkSigner(identity: ArchiveEpochSigner, keyring: ArchiveKeyring, list: ArchiveDeviceList): void {
  if (!idEquals(identity.accountId, keyring.accountId) || !idEquals(list.accountId, keyring.accountId))
    throw new UsageError('the account key, the keyring and the device list must belong to one account');
  if (!constantTimeEqual(identity.signing.publicKey, list.accountKey))
    throw new UsageError('the device list was not signed by this account key');
}

/**
 * The owner's first keyring (§9.1), made when it signs the account's first device list `list`:
 * one epoch key, epoch = list.version, signed by the account key.
 */
export async function createArchiveKeyring(
  env: ProtocolEnv,
  identity: ArchiveEpochSigner,
  list: ArchiveDeviceList,
): Promise<ArchiveKeyring> {
  const start = startArchiveKeyring(list);
  checkSigner(identity, start, list);
  const key = await createArchiveEpochKey(env, identity, list.version);
  return (await mergeArchiveKeys(start, list.accountId, [key])).keyring;
}

/**
 * Seals archive keys to each recipient. `recipients` must be devices of the verified current
 * signed device list (their dhIdentityKey as listed); the sender itself is skipped. Scope
 * `current` needs a current key (ArchiveKeyPendingError otherwise).
 */
export async function grantArchiveKeys(
  env: ProtocolEnv,
  keyring: ArchiveKeyring,
  sender: SealedBoxSender,
  recipients: readonly SealedBoxRecipient[],
  scope: ArchiveGrantScope,
): Promise<readonly ArchiveKeyGrant[]> {
  const keys = scope === ARCHIVE_GRANT_SCOPES.all ? keyring.keys : [currentArchiveKey(keyring)];
  const grants: ArchiveKeyGrant[] = [];
  for (const recipient of recipients) {
    if (idEquals(recipient.deviceId, sender.deviceId)) continue;
    for (const batch of batches(keys)) {
      const payload = encode(archiveGrantPayloadCodec, { accountId: keyring.accountId, keys: batch });
      const sealed = await sealToDevice(env, sender, recipient, SEALED_BOX_PURPOSES.archiveKeys, payload);
      grants.push({ recipientDeviceId: recipient.deviceId, sealed });
    }
  }
  return grants;
}

function checkFollowedList(keyring: ArchiveKeyring, list: ArchiveDeviceList): void {
  if (list.version < keyring.listVersion) {
    throw new ProtocolStateError(
      `device list version ${list.version} is older than the keyring's ${keyring.listVersion}`,
    );
  }
  if (list.version === keyring.listVersion && archiveDeviceSetChanged(keyring.devices, list.devices)) {
    throw new ProtocolStateError(`another device list of version ${list.version} than the one the keyring follows`);
  }
}

/**
 * Opens a grant addressed to this device and merges its keys. `list` is the newest verified signed
 * device list this device holds: it is applied first (applyArchiveDeviceList), its devices are the
 * authorised senders, its account is the grant's. `keyring` undefined starts one at `list`
 * (startArchiveKeyring, with `start`). Errors (state unchanged): DecodeError,
 * ProtocolStateError (another addressee, another account, two keys for one epoch, a list gap, a list
 * older than or other than the keyring's),
 * UnauthorisedDeviceError, SignatureError (the box, or a key not signed by the account key),
 * InvalidKeyError, DecryptError, LimitError.
 */
export async function acceptArchiveKeyGrant(
  keyring: ArchiveKeyring | undefined,
  list: ArchiveDeviceList,
  sealed: Uint8Array,
  owner: SealedBoxOwner,
  start?: ArchiveKeyringStart,
): Promise<{ readonly keyring: ArchiveKeyring; readonly added: number }> {
  // §9.1: the authorised senders are those of the list the keyring follows, never of an older or other list.
  if (keyring !== undefined) checkFollowedList(keyring, list);
  const following =
    keyring === undefined ? startArchiveKeyring(list, start) : await applyArchiveDeviceList(keyring, list);
  const { plaintext } = await openSealedBox(sealed, owner, SEALED_BOX_PURPOSES.archiveKeys, list.devices);
  const payload = decode(archiveGrantPayloadCodec, plaintext, 'archiveGrant');
  if (!idEquals(payload.accountId, list.accountId))
    throw new ProtocolStateError('archive key grant is for another account');
  return mergeArchiveKeys(following, list.accountId, payload.keys);
}

/**
 * The owner's step when it has signed a new device list `list` (F11, §9.5). The keyring follows
 * the list; when the list changed the device set (or `newEpoch` asks for one, e.g. at the usage
 * cap), the owner makes the epoch key of `list.version`, signed by the account key, and seals it
 * to every OTHER device of `list` — never to a device the list removed. Otherwise no grants.
 */
export async function rotateArchiveOnListChange(
  env: ProtocolEnv,
  identity: ArchiveEpochSigner,
  keyring: ArchiveKeyring,
  sender: SealedBoxSender,
  list: ArchiveDeviceList,
  options: { readonly newEpoch?: boolean } = {},
): Promise<{
  readonly keyring: ArchiveKeyring;
  readonly grants: readonly ArchiveKeyGrant[];
  readonly rotated: boolean;
}> {
  checkSigner(identity, keyring, list);
  if (findArchiveDevice(list.devices, sender.deviceId) === undefined) {
    throw new ProtocolStateError('the distributing device is not in the new device list');
  }
  if (list.version <= keyring.listVersion) throw new UsageError('the device list is not newer than the keyring’s');
  const changed = archiveDeviceSetChanged(keyring.devices, list.devices);
  const following = await applyArchiveDeviceList(keyring, list);
  if (!changed && options.newEpoch !== true) return { keyring: following, grants: [], rotated: false };
  const key = await createArchiveEpochKey(env, identity, list.version);
  const rotated = (await mergeArchiveKeys(following, list.accountId, [key])).keyring;
  const grants = await grantArchiveKeys(env, rotated, sender, list.devices, ARCHIVE_GRANT_SCOPES.current);
  return { keyring: rotated, grants, rotated: true };
}
