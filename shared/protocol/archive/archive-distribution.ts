/**
 * Distributing and rotating the inbox archive key (docs/PROTOCOL.md §9.4–§9.5; security brief §3
 * "History for agents", F11).
 *
 * - A grant is a sealed box (sealed-box.ts, purpose archiveKeys) to one device of the current
 *   signed device list, by its dhIdentityKey, signed by the distributing device. It carries at most
 *   ARCHIVE_LIMITS.maxKeysPerGrant keys; more keys go out as several grants.
 * - F11: when any device (or every device of an agent) is absent from the new signed list, the
 *   archive key is rotated to a new epoch and the new key is granted ONLY to the devices of the new
 *   list. Remaining devices keep their old epochs; the removed device gets nothing of the new epoch.
 */
import { decode, encode, type AccountId, type DeviceId, idEquals } from '../../wire/index.js';
import { ARCHIVE_LIMITS, type ArchiveKey, archiveGrantPayloadCodec } from './archive-codec.js';
import { type ArchiveKeyring, currentArchiveKey, mergeArchiveKeys, rotateArchiveKeyring } from './archive-keyring.js';
import { type ProtocolEnv, ProtocolStateError } from '../core/index.js';
import {
  type SealedBoxAuthorisedSender,
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

/**
 * Seals archive keys to each recipient. `recipients` must be devices of the verified current
 * signed device list (their dhIdentityKey as listed); the sender itself is skipped.
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

/**
 * Opens a grant addressed to this device and merges its keys. `authorisedSenders` are the devices
 * of the verified current signed device list. Errors (state unchanged): DecodeError,
 * ProtocolStateError (another addressee, another account, conflicting key), UnauthorisedDeviceError,
 * SignatureError, InvalidKeyError, DecryptError.
 */
export async function acceptArchiveKeyGrant(
  keyring: ArchiveKeyring | undefined,
  accountId: AccountId,
  sealed: Uint8Array,
  owner: SealedBoxOwner,
  authorisedSenders: readonly SealedBoxAuthorisedSender[],
): Promise<{ readonly keyring: ArchiveKeyring; readonly added: number }> {
  const { plaintext } = await openSealedBox(sealed, owner, SEALED_BOX_PURPOSES.archiveKeys, authorisedSenders);
  const payload = decode(archiveGrantPayloadCodec, plaintext, 'archiveGrant');
  if (!idEquals(payload.accountId, accountId)) throw new ProtocolStateError('archive key grant is for another account');
  return mergeArchiveKeys(keyring, accountId, payload.keys);
}

/** F11: true when a device of `previous` is absent from `current` (a device or an agent was removed). */
export function archiveRotationRequired(
  previous: readonly { readonly deviceId: DeviceId }[],
  current: readonly { readonly deviceId: DeviceId }[],
): boolean {
  return previous.some((p) => !current.some((c) => idEquals(c.deviceId, p.deviceId)));
}

/**
 * Applies a device list change to the archive (F11). When a device was removed, rotates to a new
 * epoch and grants the new key to every OTHER device of `currentDevices` (the new verified list)
 * — never to a removed device. When nothing was removed, returns the keyring unchanged and no grants.
 */
export async function rotateArchiveOnListChange(
  env: ProtocolEnv,
  keyring: ArchiveKeyring,
  sender: SealedBoxSender,
  previousDevices: readonly { readonly deviceId: DeviceId }[],
  currentDevices: readonly SealedBoxRecipient[],
): Promise<{
  readonly keyring: ArchiveKeyring;
  readonly grants: readonly ArchiveKeyGrant[];
  readonly rotated: boolean;
}> {
  if (!currentDevices.some((d) => idEquals(d.deviceId, sender.deviceId))) {
    throw new ProtocolStateError('the distributing device is not in the new device list');
  }
  if (!archiveRotationRequired(previousDevices, currentDevices)) return { keyring, grants: [], rotated: false };
  const rotated = rotateArchiveKeyring(keyring, env);
  const grants = await grantArchiveKeys(env, rotated, sender, currentDevices, ARCHIVE_GRANT_SCOPES.current);
  return { keyring: rotated, grants, rotated: true };
}
