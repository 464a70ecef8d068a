/**
 * The device list a peer used, against this participant's chain (docs/PROTOCOL.md §5.4, §7.6;
 * issue #17 items 3 and 4). `state.deviceList` is this participant's current verified list with the
 * earlier links of the same chain it verified (`earlier`).
 * - First contact (the header's list): the current list or an earlier link is accepted (an older one
 *   with a rollback alert); another hash for a version of this chain, or a version older than every
 *   link kept, is EquivocationError (split view, or another chain such as another business's); a
 *   newer version is DeviceListBehindError (fetch, then deliver again).
 * - Every frame (the sender's current list): another hash for a version of this chain raises an
 *   equivocation alert (the frame is authentic and still shown); an older version is reported as
 *   `peerListBehind` (send the newest lists in-band), a newer one as `listBehind` (fetch).
 */
import { constantTimeEqual } from '../../crypto/index.js';
import type { DeviceId } from '../../wire/index.js';
import { ALERT_KINDS, EquivocationError, type ListLink, type SecurityAlert, SUSPECTS } from '../core/index.js';
import { DeviceListBehindError } from './conversation-errors.js';
import type { ConversationState, ListLag } from './conversation-state.js';

/** The link of this participant's chain with `version` (its current list or an earlier one), if kept. */
function linkOf(state: ConversationState, version: number): ListLink | undefined {
  const own = state.deviceList;
  return version === own.version ? own : own.earlier.find((l) => l.version === version);
}

/** Another hash for a version of this chain: two lists of one version (or the peer lies). */
function equivocationAlert(state: ConversationState, sender: DeviceId, version: number): SecurityAlert {
  return {
    kind: ALERT_KINDS.equivocation,
    detail: `a peer holds another device list with version ${version} than this participant (split view)`,
    // The AIK holder signed two lists and the relay showed each to different people, or the peer lied.
    suspects: [SUSPECTS.relay, SUSPECTS.accountKey, SUSPECTS.participant(sender)],
    conversationId: state.conversationId,
    deviceId: sender,
  };
}

/** PROTOCOL §5.4 step 2: the list a first contact was made for. Throws on refusal; alerts to show otherwise. */
export function checkFirstContactList(
  state: ConversationState,
  sender: DeviceId,
  version: number,
  hash: Uint8Array,
): SecurityAlert[] {
  const own = state.deviceList;
  if (version > own.version) throw new DeviceListBehindError(version, own.version);
  const link = linkOf(state, version);
  if (link === undefined || !constantTimeEqual(hash, link.hash)) {
    throw new EquivocationError(`the sender used a device list version ${version} that is not in this device's chain`);
  }
  if (version === own.version) return [];
  // The relay may have served the initiator an old (genuinely signed) list, e.g. one still naming a
  // revoked device: flag it. This device only ever answers with its own, newer list.
  return [
    {
      kind: ALERT_KINDS.rollback,
      detail: `a first contact was made for device list version ${version}; the current version is ${own.version}`,
      conversationId: state.conversationId,
      // The relay served the initiator an old list, or the initiator named one.
      suspects: [SUSPECTS.relay, SUSPECTS.participant(sender)],
    },
  ];
}

export interface FrameListCheck {
  readonly alerts: SecurityAlert[];
  readonly peerListBehind: ListLag[];
  readonly listBehind: ListLag[];
}

/** PROTOCOL §7.6: the list an authenticated frame names, against this participant's chain. */
export function checkFrameList(
  state: ConversationState,
  sender: DeviceId,
  version: number,
  hash: Uint8Array,
): FrameListCheck {
  const own = state.deviceList;
  if (version > own.version) return { alerts: [], peerListBehind: [], listBehind: [{ peer: sender, version }] };
  const link = linkOf(state, version);
  const alerts =
    link !== undefined && !constantTimeEqual(link.hash, hash) ? [equivocationAlert(state, sender, version)] : [];
  const peerListBehind = version < own.version ? [{ peer: sender, version }] : [];
  return { alerts, peerListBehind, listBehind: [] };
}
