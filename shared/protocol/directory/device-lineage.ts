/**
 * Who added which device, and who must be told (docs/PROTOCOL.md §4.5; issue #17 item 2).
 * Each entry names its sponsor (the device whose request added it, §4.2), so an owner can revoke a
 * device together with every device it added, directly or through the devices it added; and every
 * device of an agent shows a notice when that agent's device set changes, so a device added by a
 * compromised sibling is seen by the person it claims to be.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { idEquals } from '../../wire/index.js';
import type { DeviceEntry, DeviceList } from '../core/index.js';
import { findDevice } from './device-list.js';

/** The devices `deviceId` added, transitively (via sponsorId), in list order; not the device itself. */
export function devicesAddedBy(list: DeviceList, deviceId: DeviceEntry['deviceId']): DeviceEntry[] {
  const sponsors = [deviceId];
  const added: DeviceEntry[] = [];
  // Each pass adds the devices sponsored by a device already found; self-sponsored owners end a chain.
  for (let grew = true; grew;) {
    grew = false;
    for (const device of list.devices) {
      if (idEquals(device.deviceId, device.sponsorId) || idEquals(device.deviceId, deviceId)) continue;
      if (added.includes(device) || !sponsors.some((s) => idEquals(s, device.sponsorId))) continue;
      added.push(device);
      sponsors.push(device.deviceId);
      grew = true;
    }
  }
  return list.devices.filter((d) => added.includes(d));
}

/** "Revoke this device and all it added": the device set without them, and the removed entries (device first). */
export function revocationOf(
  list: DeviceList,
  deviceId: DeviceEntry['deviceId'],
): { readonly devices: readonly DeviceEntry[]; readonly removed: readonly DeviceEntry[] } {
  const device = findDevice(list, deviceId);
  const removed = device === undefined ? [] : [device, ...devicesAddedBy(list, deviceId)];
  return { devices: list.devices.filter((d) => !removed.includes(d)), removed };
}

/** One agent whose devices changed between two lists: every device of that agent shows a notice. */
export interface ListChangeNotice {
  readonly agentId: Uint8Array;
  readonly agentName: string;
  readonly added: readonly DeviceEntry[];
  readonly removed: readonly DeviceEntry[];
}

/** The agents that gained or lost devices from `previous` to `next`, in order of first appearance. */
export function listChangeNotices(previous: DeviceList, next: DeviceList): ListChangeNotice[] {
  const notices: { agentId: Uint8Array; agentName: string; added: DeviceEntry[]; removed: DeviceEntry[] }[] = [];
  const noticeOf = (device: DeviceEntry): { added: DeviceEntry[]; removed: DeviceEntry[] } => {
    let notice = notices.find((n) => constantTimeEqual(n.agentId, device.agentId));
    if (notice === undefined) {
      notice = { agentId: device.agentId, agentName: device.agentName, added: [], removed: [] };
      notices.push(notice);
    }
    return notice;
  };
  for (const device of next.devices)
    if (findDevice(previous, device.deviceId) === undefined) noticeOf(device).added.push(device);
  for (const device of previous.devices)
    if (findDevice(next, device.deviceId) === undefined) noticeOf(device).removed.push(device);
  return notices;
}
