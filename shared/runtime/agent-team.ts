/**
 * The team changes the owner's device signs (PROTOCOL §4.5): a new agent invited (its first device
 * linked under a fresh agent id, §3.2, §10.5), an agent's role set, an agent removed with every
 * device it has, in ONE signed list. The relay follows the signed list (§16.7): roles are enrolled
 * again, removed devices are deleted there, which ends their sessions and closes their sockets.
 * Each runs inside the caller's device-list queue and saves the list before it publishes it.
 */
import { constantTimeEqual, fromHex } from '../crypto/index.js';
import { UsageError } from '../errors/index.js';
import {
  type AccountIdentity,
  type DeviceEntry,
  type DeviceProfile,
  type ProtocolEnv,
  type Role,
  UnauthorisedDeviceError,
  newAgentId,
  validateDisplayName,
} from '../protocol/index.js';
import { type Enrolled, deviceAuth, publishOwnList } from './agent-device-session.js';
import { nextList } from './device-lists.js';
import { NotStartedError } from './runtime-errors.js';
import type { RuntimeStore } from './runtime-shapes.js';

/** The profile of a new agent's first device: a fresh agent id, the name and role the owner chose. */
export function invitedProfile(
  e: Enrolled,
  invite: { readonly agentName: string; readonly role: Role },
  env: ProtocolEnv,
): DeviceProfile {
  validateDisplayName(invite.agentName);
  return { agentId: newAgentId(env), agentName: invite.agentName, kind: e.account.profile.kind, role: invite.role };
}

/** The account key, or a clear refusal: only owner devices sign lists (PROTOCOL §3.1, §4.5). */
export function ownerIdentity(e: Enrolled, what: string): AccountIdentity {
  const identity = e.account.identity;
  if (identity === undefined)
    throw new UnauthorisedDeviceError(`only an owner device (holding the account key) may ${what}`);
  return identity;
}

/**
 * Whether this device may show a link code (PROTOCOL §4.5): for one of its own agent's devices
 * always (a non-owner's becomes a change request); for a new agent as an owner, or as an admin
 * inviting an `agent`.
 */
export function mayLink(e: Enrolled, invite: { readonly role: Role } | undefined): void {
  const role = e.account.profile.role;
  if (invite === undefined || role === 'owner' || (role === 'admin' && invite.role === 'agent')) return;
  throw new UnauthorisedDeviceError(
    `a device with the ${role} role may not invite an agent with the ${invite.role} role`,
  );
}

/** An agent id as the UI names it (32 hex digits). */
export function agentIdFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new UsageError('an agent id is 32 lower-case hex digits');
  return fromHex(hex);
}

function current(e: Enrolled) {
  const list = e.view.current;
  const latest = e.view.history.at(-1);
  if (list === undefined || latest === undefined) throw new NotStartedError('no verified device list');
  return { list, latest };
}

/** Sets `agentId`'s role on every device of it (owners only, §4.5), then enrols that role at the relay. */
export async function setAgentRole(
  store: RuntimeStore,
  e: Enrolled,
  identity: AccountIdentity,
  agentId: Uint8Array,
  role: Role,
): Promise<readonly DeviceEntry[]> {
  const { list, latest } = current(e);
  const change = { kind: 'set-role', agentId, role } as const;
  const { signed } = await nextList(identity, latest.signed, list, e.keys.deviceId, change, e.p.env);
  await publishOwnList(store, e, signed);
  const devices = e.view.current?.devices.filter((d) => d.role === role && constantTimeEqual(d.agentId, agentId)) ?? [];
  const auth = await deviceAuth(e);
  for (const d of devices)
    await e.p.http.directory.enrolDevice(e.account.accountId, d.deviceId, d.signingKey, auth, undefined, role);
  return devices;
}

/** Removes every device of `agentId` in one list (F11), then from the relay: their sessions end. */
export async function removeAgentDevices(
  store: RuntimeStore,
  e: Enrolled,
  identity: AccountIdentity,
  agentId: Uint8Array,
): Promise<readonly DeviceEntry[]> {
  const { list, latest } = current(e);
  const change = { kind: 'remove-agent', agentId } as const;
  const { signed, removed } = await nextList(identity, latest.signed, list, e.keys.deviceId, change, e.p.env);
  await publishOwnList(store, e, signed);
  await forgetAtRelay(e, removed);
  return removed;
}

/** Deletes removed devices at the relay (key, role, sessions, queue, prekeys; §16.7). */
export async function forgetAtRelay(e: Enrolled, removed: readonly DeviceEntry[]): Promise<void> {
  const auth = await deviceAuth(e);
  for (const d of removed) await e.p.http.directory.removeDevice(e.account.accountId, d.deviceId, auth);
}
