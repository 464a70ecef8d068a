/**
 * The `devices` event (PROTOCOL §4.4): each newer signed device list this device adopts is told
 * once, by its version, whichever path adopted it — a change this device signed or asked for
 * (§4.5), a list named or carried in a conversation (§7.6), an archive sync (§9.6). Each path used
 * to compare the view with the one it had read when it began; when two overlapped (an archive
 * sync nudged by a grant, §16.11, and a frame naming the same list), both told the same added
 * device, and the app showed "A device was added to your team" twice.
 */
import type { DeviceEntry, DeviceList } from '../protocol/index.js';
import { type DeviceId, idEquals } from '../wire/index.js';
import type { DeviceView } from './api-agent.js';
import { deviceViewOf } from './device-lists.js';

export interface DeviceChange {
  readonly added: readonly DeviceView[];
  readonly removed: readonly DeviceView[];
}

function missingFrom(list: readonly DeviceEntry[], other: readonly DeviceEntry[]): DeviceEntry[] {
  return list.filter((d) => !other.some((o) => idEquals(o.deviceId, d.deviceId)));
}

export class DeviceChanges {
  readonly #tell: (change: DeviceChange) => void;
  /** The newest list told (or found on the first call): only a higher version is told. */
  #told: DeviceList | undefined;

  constructor(tell: (change: DeviceChange) => void) {
    this.#tell = tell;
  }

  /**
   * `now` is the view's current list after a path adopted lists; `before` the current list that
   * path began from, which counts only until something was told (after a start, nothing was).
   */
  adopted(self: DeviceId, now: DeviceList | undefined, before: DeviceList | undefined): void {
    const told = this.#told ?? before;
    if (now === undefined || (told !== undefined && now.version <= told.version)) return;
    this.#told = now;
    const old = told?.devices ?? [];
    const added = missingFrom(now.devices, old);
    const removed = missingFrom(old, now.devices);
    if (added.length === 0 && removed.length === 0) return;
    this.#tell({
      added: added.map((d) => deviceViewOf(d, self)),
      removed: removed.map((d) => deviceViewOf(d, self)),
    });
  }
}
