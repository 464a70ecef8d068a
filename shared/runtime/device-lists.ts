/**
 * Every place the runtime BUILDS a signed device list (PROTOCOL §4), in one small file so the
 * list-format changes of the directory work (sponsor and proof-of-possession fields, notAfter,
 * supported versions, change requests) are adapted here and nowhere else.
 */
import { toHex } from '../crypto/index.js';
import {
  type AccountIdentity,
  type DeviceEntry,
  type DeviceList,
  type DeviceListChange,
  type ProtocolEnv,
  type SignedDeviceList,
  applyChange,
  authoriseChange,
  createFirstDeviceList,
  createNextDeviceList,
} from '../protocol/index.js';
import { type DeviceId, idEquals, idToHex } from '../wire/index.js';
import type { DeviceView } from './api-agent.js';

/** Version 1: the account's first device, with the recovery key's public half (PROTOCOL §11). */
export function firstList(
  identity: AccountIdentity,
  first: DeviceEntry,
  recoveryPublicKey: Uint8Array,
  env: ProtocolEnv,
): Promise<SignedDeviceList> {
  return createFirstDeviceList(identity, { devices: [first], recoveryKey: recoveryPublicKey }, env);
}

/** The next version after `change`, asked for by `requester` (roles enforced, PROTOCOL §4.5). */
export async function nextList(
  identity: AccountIdentity,
  previous: SignedDeviceList,
  current: DeviceList,
  requester: DeviceId,
  change: DeviceListChange,
  env: ProtocolEnv,
): Promise<{ signed: SignedDeviceList; removed: readonly DeviceEntry[] }> {
  authoriseChange(current, requester, change);
  const applied = applyChange(current, change);
  const signed = await createNextDeviceList(identity, previous, { devices: applied.devices }, env);
  return { signed, removed: applied.removed };
}

/**
 * The same devices as the next version, signed now with a new notAfter (PROTOCOL §4.2): the owner
 * re-signs before the current list expires (listNeedsResigning), or visitors refuse it.
 */
export function resignedList(
  identity: AccountIdentity,
  previous: SignedDeviceList,
  current: DeviceList,
  env: ProtocolEnv,
): Promise<SignedDeviceList> {
  return createNextDeviceList(identity, previous, { devices: current.devices }, env);
}

/** What a UI shows of a listed device; the sponsor is the entry's (PROTOCOL §4.2: itself for the first device). */
export function deviceViewOf(entry: DeviceEntry, self: DeviceId): DeviceView {
  return {
    deviceId: idToHex(entry.deviceId),
    agentId: toHex(entry.agentId),
    agentName: entry.agentName,
    role: entry.role,
    kind: entry.kind,
    sponsor: idToHex(entry.sponsorId),
    self: idEquals(entry.deviceId, self),
  };
}
