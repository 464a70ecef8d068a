/**
 * The device set an archive keyring follows (docs/PROTOCOL.md §9.1, §9.5): the devices of the
 * newest verified signed device list, as (device id, signing key, DH identity key). A list
 * "changes the device set" when any device is added or removed, or a listed id's keys differ.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { type AccountId, type DeviceId, idEquals } from '../../wire/index.js';

/** What the archive keeps of a listed device (a DeviceEntry fits). */
export interface ArchiveDevice {
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
  readonly dhIdentityKey: Uint8Array;
}

/** The newest verified signed device list, as the archive needs it (directory's DeviceList fits). */
export interface ArchiveDeviceList {
  readonly accountId: AccountId;
  readonly version: number;
  /** The account key (AIK) that signed this list: it also signs the epoch keys made at it. */
  readonly accountKey: Uint8Array;
  readonly devices: readonly ArchiveDevice[];
}

/** A copy holding only the three fields the archive keeps. */
export function archiveDevicesOf(devices: readonly ArchiveDevice[]): readonly ArchiveDevice[] {
  return devices.map((d) => ({
    deviceId: d.deviceId,
    signingKey: new Uint8Array(d.signingKey),
    dhIdentityKey: new Uint8Array(d.dhIdentityKey),
  }));
}

function sameDevice(a: ArchiveDevice, b: ArchiveDevice): boolean {
  return (
    idEquals(a.deviceId, b.deviceId) &&
    constantTimeEqual(a.signingKey, b.signingKey) &&
    constantTimeEqual(a.dhIdentityKey, b.dhIdentityKey)
  );
}

/** F11, §9.5: true when a device was added or removed (or a listed id's keys changed) between the two lists. */
export function archiveDeviceSetChanged(
  previous: readonly ArchiveDevice[],
  current: readonly ArchiveDevice[],
): boolean {
  return (
    previous.some((p) => !current.some((c) => sameDevice(p, c))) ||
    current.some((c) => !previous.some((p) => sameDevice(p, c)))
  );
}

/** The listed device with `deviceId`, if any. */
export function findArchiveDevice(devices: readonly ArchiveDevice[], deviceId: DeviceId): ArchiveDevice | undefined {
  return devices.find((d) => idEquals(d.deviceId, deviceId));
}
