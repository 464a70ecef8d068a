/**
 * What each caller may change in its account's directory at the relay (docs/PROTOCOL.md §16.7).
 * The relay enforces what it can see — the role attached to each device at enrolment — for
 * availability: a plain agent cannot remove the owner's devices or overwrite what the account
 * publishes. Integrity stays with the clients: they trust only what the account key signed (§4).
 */
import type { DeviceRole } from '../store/store.js';

/**
 * The caller of a request: a device session (its enrolled role) or a password login session
 * (deviceId null), which counts as `owner` — whoever knows the account password can enrol an
 * owner device anyway.
 */
export interface Caller {
  readonly accountId: string;
  readonly deviceId: string | null;
  readonly role: DeviceRole;
}

/** The device a request changes: its id, its role now (undefined: not enrolled) and the role asked for. */
export interface DeviceTarget {
  readonly deviceId: string;
  readonly currentRole: DeviceRole | undefined;
  readonly newRole?: DeviceRole | undefined;
}

/**
 * Enrol, re-key, remove, or upload prekeys for `target`:
 * - owner: any device, any role;
 * - admin: itself, new devices and `agent` devices, never with or to the role `owner`;
 * - agent: only itself, and only as an `agent`.
 */
export function mayManageDevice(caller: Caller, target: DeviceTarget): boolean {
  const self = caller.deviceId === target.deviceId;
  switch (caller.role) {
    case 'owner':
      return true;
    case 'admin':
      return target.newRole !== 'owner' && (self || target.currentRole === undefined || target.currentRole === 'agent');
    case 'agent':
      return self && (target.newRole === undefined || target.newRole === 'agent');
  }
}

/** Only the AIK signs device lists, and only owner devices hold it (§3.1). */
export function mayPublishDeviceList(caller: Caller): boolean {
  return caller.role === 'owner';
}

/** The widget configuration visitors load. */
export function mayPublishWidgetConfig(caller: Caller): boolean {
  return caller.role === 'owner' || caller.role === 'admin';
}
