/**
 * Where an agent device learns L_D (PROTOCOL §7.6): the first device list version that names it,
 * read from its own verified chain (the directory view's accepted lists). A conversation this device
 * opens keeps it (`ConversationState.listedSince`): frames its siblings and the visitor sent before
 * one whose `prevListVersion` is below it, and acks of frames on older lists, were never meant for it.
 *
 * The view keeps the newest lists only (DIRECTORY_HISTORY), so this is a lower bound: the version
 * after the newest kept list that does not name the device, or 0 when every kept list names it and
 * the oldest is not version 1 (it may have been listed before: every frame may have been for it, as
 * before this rule). A value too high would hide a real gap; too low only keeps a false alarm.
 */
import { decodeDeviceListBody, type DirectoryView } from '../protocol/index.js';
import { type DeviceId, idEquals } from '../wire/index.js';

export function listedSinceOf(view: DirectoryView, deviceId: DeviceId): number {
  let unlistedBefore: number | undefined;
  for (const accepted of view.history) {
    const names = decodeDeviceListBody(accepted.signed.body).devices.some((d) => idEquals(d.deviceId, deviceId));
    if (names) {
      if (unlistedBefore !== undefined) return unlistedBefore + 1;
      return accepted.version === 1 ? 1 : 0;
    }
    unlistedBefore = accepted.version;
  }
  return 0;
}
