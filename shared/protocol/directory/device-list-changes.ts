/**
 * Who may ask for which device list change (docs/PROTOCOL.md §4.5; security brief F10, F11).
 * Only the AIK signs lists (device-list.ts); this module records the roles' rights so that the
 * owner device holding the AIK signs a requested change only when the requesting device may ask
 * for it, and computes the next device set. A removal returns the removed devices: every key
 * shared with them (inbox archive key, §9) must be rotated by the caller (F11).
 *
 * Rights:
 * - owner: any change;
 * - admin: add or remove devices of agents whose role is `agent` (new devices with role `agent`
 *   only), remove such agents, and add or remove their OWN devices; roles are changed by owners only;
 * - agent: add and remove their OWN devices (device linking, revoking a lost device).
 * Nobody may remove the last owner device (validateDeviceList refuses such a list).
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { type DeviceId, idEquals, idToHex } from '../../wire/index.js';
import {
  ProtocolStateError,
  UnauthorisedDeviceError,
  type DeviceEntry,
  type DeviceList,
  type Role,
} from '../core/index.js';
import { findDevice } from './device-list.js';

export type DeviceListChange =
  | { readonly kind: 'add-device'; readonly device: DeviceEntry }
  | { readonly kind: 'remove-device'; readonly deviceId: DeviceId }
  | { readonly kind: 'remove-agent'; readonly agentId: Uint8Array }
  | { readonly kind: 'set-role'; readonly agentId: Uint8Array; readonly role: Role };

export interface AppliedChange {
  readonly devices: readonly DeviceEntry[];
  /** Devices no longer listed: no ciphertext may be made for them, shared keys must rotate (F11). */
  readonly removed: readonly DeviceEntry[];
}

function sameAgent(a: Uint8Array, b: Uint8Array): boolean {
  return constantTimeEqual(a, b);
}

function agentRole(list: DeviceList, agentId: Uint8Array): Role | undefined {
  return list.devices.find((d) => sameAgent(d.agentId, agentId))?.role;
}

/** The agent a change is about, and the role that agent has (now, or will have when added). */
function target(list: DeviceList, change: DeviceListChange): { agentId: Uint8Array; role: Role | undefined } {
  switch (change.kind) {
    case 'add-device':
      return { agentId: change.device.agentId, role: agentRole(list, change.device.agentId) ?? change.device.role };
    case 'remove-device': {
      const device = findDevice(list, change.deviceId);
      if (device === undefined)
        throw new ProtocolStateError(
          `device ${idToHex(change.deviceId)} is not in device list version ${list.version}`,
        );
      return { agentId: device.agentId, role: device.role };
    }
    case 'remove-agent':
    case 'set-role':
      return { agentId: change.agentId, role: agentRole(list, change.agentId) };
  }
}

/**
 * Throws UnauthorisedDeviceError unless the device `requester`, listed in `list`, may ask for
 * `change` (F11: roles are enforced by the device that holds the AIK).
 */
export function authoriseChange(list: DeviceList, requester: DeviceId, change: DeviceListChange): void {
  const asker = findDevice(list, requester);
  if (asker === undefined)
    throw new UnauthorisedDeviceError(`device ${idToHex(requester)} is not in device list version ${list.version}`);
  if (asker.role === 'owner') return;
  const { agentId, role } = target(list, change);
  const own = sameAgent(agentId, asker.agentId);
  const ownDevices = own && (change.kind === 'add-device' || change.kind === 'remove-device');
  if (ownDevices && (change.kind !== 'add-device' || change.device.role === asker.role)) return;
  if (asker.role === 'admin' && !own && role === 'agent') {
    if (change.kind === 'set-role') throw new UnauthorisedDeviceError('only an owner may change roles');
    if (change.kind === 'add-device' && change.device.role !== 'agent') {
      throw new UnauthorisedDeviceError(`an admin may not add a device with the ${change.device.role} role`);
    }
    return;
  }
  throw new UnauthorisedDeviceError(
    `a device with the ${asker.role} role may not ${change.kind.replace('-', ' ')} for this agent`,
  );
}

/** The device set after `change`. ProtocolStateError when the change does not apply to `list`. */
export function applyChange(list: DeviceList, change: DeviceListChange): AppliedChange {
  switch (change.kind) {
    case 'add-device': {
      if (findDevice(list, change.device.deviceId) !== undefined) {
        throw new ProtocolStateError(`device ${idToHex(change.device.deviceId)} is already listed`);
      }
      return { devices: [...list.devices, change.device], removed: [] };
    }
    case 'remove-device': {
      const removed = list.devices.filter((d) => idEquals(d.deviceId, change.deviceId));
      if (removed.length === 0) throw new ProtocolStateError(`device ${idToHex(change.deviceId)} is not listed`);
      return { devices: list.devices.filter((d) => !idEquals(d.deviceId, change.deviceId)), removed };
    }
    case 'remove-agent': {
      const removed = list.devices.filter((d) => sameAgent(d.agentId, change.agentId));
      if (removed.length === 0) throw new ProtocolStateError('the agent has no listed device');
      return { devices: list.devices.filter((d) => !sameAgent(d.agentId, change.agentId)), removed };
    }
    case 'set-role': {
      if (agentRole(list, change.agentId) === undefined) throw new ProtocolStateError('the agent has no listed device');
      const devices = list.devices.map((d) => (sameAgent(d.agentId, change.agentId) ? { ...d, role: change.role } : d));
      return { devices, removed: [] };
    }
  }
}
