/**
 * A removed device knows it was removed (PROTOCOL §4.8): it believes the verified, AIK-signed
 * device list (shared/protocol/directory), never the relay's word alone. A relay refusing this device
 * (hello refused, its queue closed as gone, any call answered 401) only makes the runtime fetch and verify the list again:
 * - the verified current list no longer names this device: it was removed (a terminal state);
 * - it still names it: the relay refuses a listed device. That may be an outage or a relay locking
 *   the device out; the person is told once, naming the relay as the suspect, and the runtime keeps
 *   retrying as before.
 */
import type { DirectoryView } from '../protocol/index.js';
import { GoneError, UnauthorizedError } from '../transport/index.js';
import { type DeviceId, idEquals } from '../wire/index.js';
import type { DeviceRemoval } from './api-agent.js';
import { ALERT_SEVERITIES, type PlainAlert } from './api-common.js';

/**
 * The relay's ways of refusing this device: a refused hello or a 401 (UnauthorizedError), its queue
 * closed as gone (close 4410, GoneError: what the relay does to a deleted device's socket).
 */
export function refusesDevice(error: unknown): boolean {
  return error instanceof UnauthorizedError || error instanceof GoneError;
}

export const RELAY_REFUSED_ALERT_KIND = 'relay-refused-listed-device';

/**
 * §4.4: what the view's verified current list says of `self`: undefined while it names the device
 * (or while no list is held, before the first one or after a recovery rotation), else the removal.
 */
export function removalIn(view: DirectoryView, self: DeviceId): DeviceRemoval | undefined {
  const list = view.current;
  if (list === undefined || list.devices.some((d) => idEquals(d.deviceId, self))) return undefined;
  return { listVersion: list.version, at: list.issuedAt };
}

/** The relay refused a device the verified list names: the relay is the suspect (§4.8, THREAT-MODEL). */
export function relayRefusedAlert(listVersion: number): PlainAlert {
  return {
    kind: RELAY_REFUSED_ALERT_KIND,
    severity: ALERT_SEVERITIES.danger,
    title: 'The service refuses this device',
    text:
      `The service no longer lets this device connect, but your team's signed device list (version ${listVersion}) ` +
      'still includes it: it was not removed by an owner. The service may be failing or blocking this device; ' +
      'retrying. If it lasts, tell an owner of your team.',
  };
}
