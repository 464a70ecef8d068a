/**
 * Lists this device signed and saved that the relay does not have yet (PROTOCOL §4.7). An owner
 * device saves a new list before it publishes it (save before effect), so a process killed
 * between the two leaves the relay one version behind: a linked device unknown to the relay, a
 * removed one still enrolled. On start, and before it signs the next list, the device publishes
 * every saved version newer than the relay's latest, in order, with the relay-side effects each
 * list implies (enrol added or changed devices before, forget removed ones after). Every call is
 * idempotent at the relay: an enrolment of the same key and role changes nothing, a version the
 * relay already holds with the same bytes counts as published, a forgotten device is not found.
 */
import { constantTimeEqual } from '../crypto/index.js';
import { SealdeskError } from '../errors/index.js';
import { type DeviceEntry, decodeDeviceListBody, encodeSignedDeviceList } from '../protocol/index.js';
import { ConflictError, NotFoundError, type RelayAuth } from '../transport/index.js';
import { idEquals } from '../wire/index.js';
import type { Enrolled } from './agent-device-session.js';

/** A saved list could not be published: the relay holds other bytes at its version, or it was not kept. */
export class ListPublishError extends SealdeskError {
  readonly code = 'list-publish';
}

export interface PublishSavedOptions {
  /** Also delete, at the relay, the devices the published lists removed (on start; a list change does it itself). */
  readonly forgetRemoved: boolean;
  /** The device's relay session (agent-device-session.ts deviceAuth), asked for only when a list is missing. */
  readonly auth: () => Promise<RelayAuth>;
}

function devicesAt(e: Enrolled, version: number): readonly DeviceEntry[] {
  const kept = e.view.history.find((h) => h.version === version);
  return kept === undefined ? [] : decodeDeviceListBody(kept.signed.body).devices;
}

function sameEnrolment(a: DeviceEntry, b: DeviceEntry): boolean {
  return a.role === b.role && constantTimeEqual(a.signingKey, b.signingKey);
}

/** PUT of one version; a conflict is fine only when the relay already holds these exact bytes. */
async function putVersion(e: Enrolled, version: number, blob: Uint8Array, auth: RelayAuth): Promise<void> {
  const directory = e.p.http.directory;
  try {
    await directory.putDeviceList(e.account.accountId, version, blob, auth);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const held = await directory.deviceList(e.account.accountId, version);
    if (held === undefined || !constantTimeEqual(held.blob, blob)) {
      throw new ListPublishError(
        `device list version ${version} was saved here but the service holds a different list at that version; the directory refresh will show which one the devices follow`,
        { cause: error },
      );
    }
  }
}

/**
 * Publishes the saved lists newer than the relay's latest (only a device holding the account key
 * signs lists; others have nothing to publish). Returns how many versions it published.
 */
export async function publishSavedLists(e: Enrolled, options: PublishSavedOptions): Promise<number> {
  const saved = e.view.current?.version ?? 0;
  if (e.account.identity === undefined || saved === 0) return 0;
  const latest = await e.p.http.directory.deviceList(e.account.accountId, 'latest');
  const atRelay = latest?.version ?? 0;
  if (atRelay >= saved) return 0;
  const auth = await options.auth();
  const directory = e.p.http.directory;
  for (let version = atRelay + 1; version <= saved; version++) {
    const kept = e.view.history.find((h) => h.version === version);
    if (kept === undefined) {
      throw new ListPublishError(
        `device list version ${version} is newer than the service's but no longer kept here; sign a new list to move on`,
      );
    }
    const before = devicesAt(e, version - 1);
    const after = decodeDeviceListBody(kept.signed.body).devices;
    // §10.5 step 6: a device's relay key is enrolled before the list that adds it is published.
    for (const d of after) {
      const was = before.find((b) => idEquals(b.deviceId, d.deviceId));
      if (was === undefined || !sameEnrolment(was, d))
        await directory.enrolDevice(e.account.accountId, d.deviceId, d.signingKey, auth, undefined, d.role);
    }
    await putVersion(e, version, encodeSignedDeviceList(kept.signed), auth);
    if (!options.forgetRemoved) continue;
    for (const d of before) {
      if (after.some((a) => idEquals(a.deviceId, d.deviceId))) continue;
      try {
        await directory.removeDevice(e.account.accountId, d.deviceId, auth);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
  }
  return saved - atRelay;
}
