/**
 * The device-list changes the owner's device signs and publishes (PROTOCOL §4): a device removed, a
 * linked device added (§10.5 step 6, its relay key enrolled before the list is published), the same
 * devices re-signed before notAfter (§4.2). Each takes the `Enrolled` device, runs inside the one
 * device-list queue of the caller (two lists never claim one version), saves before it sends.
 */
import {
  type AccountIdentity,
  type DeviceEntry,
  type LinkRelease,
  listLinkedDevice,
  listNeedsResigning,
} from '../protocol/index.js';
import type { DeviceId } from '../wire/index.js';
import { type Enrolled, deviceAuth, publishOwnList } from './agent-device-session.js';
import { nextList, resignedList } from './device-lists.js';
import { NotStartedError } from './runtime-errors.js';
import type { RuntimeStore } from './runtime-shapes.js';

/** The serial-queue key every list this device signs goes through. */
export const DEVICE_LIST_QUEUE = 'device-list';

/** PROTOCOL §4.2: signs the same devices again when the list expires within 7 days; false when not due. */
export async function resignIfDue(store: RuntimeStore, e: Enrolled): Promise<boolean> {
  const identity = e.account.identity;
  const current = e.view.current;
  const previous = e.view.history.at(-1);
  if (identity === undefined || current === undefined || previous === undefined) return false;
  if (!listNeedsResigning(current, e.p.timers.now())) return false;
  await publishOwnList(store, e, await resignedList(identity, previous.signed, current, e.p.env));
  return true;
}

/** Removes `target` (roles enforced, §4.5); the relay forgets its key after the list is published. */
export async function removeDevice(
  store: RuntimeStore,
  e: Enrolled,
  identity: AccountIdentity,
  target: DeviceId,
): Promise<readonly DeviceEntry[]> {
  const current = e.view.current;
  const latest = e.view.history.at(-1);
  if (current === undefined || latest === undefined) throw new NotStartedError('no verified device list');
  const change = { kind: 'remove-device', deviceId: target } as const;
  const { signed, removed } = await nextList(identity, latest.signed, current, e.keys.deviceId, change, e.p.env);
  await publishOwnList(store, e, signed);
  await e.p.http.directory.removeDevice(e.account.accountId, target, await deviceAuth(e));
  return removed;
}

/** Adds the linked device: the next list saved, its relay key enrolled, then the list published. */
export async function addLinkedDevice(
  store: RuntimeStore,
  e: Enrolled,
  identity: AccountIdentity,
  release: LinkRelease,
): Promise<void> {
  const previous = e.view.history.at(-1);
  if (previous === undefined) throw new NotStartedError('no verified device list');
  const signed = await listLinkedDevice(identity, previous.signed, e.keys.deviceId, release, e.p.env);
  await publishOwnList(store, e, signed, async (auth) => {
    const { deviceId, signingKey, role } = release.entry;
    await e.p.http.directory.enrolDevice(e.account.accountId, deviceId, signingKey, auth, undefined, role);
  });
}
