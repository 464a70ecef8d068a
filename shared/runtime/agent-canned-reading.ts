/**
 * Reading one team-shared history record (docs/PROTOCOL.md §9.7) after its seal and author were
 * checked (§9.2): the record id must be exactly a team record id of the current format (v1, without
 * epochs, is retired: §15), sealed under the epoch it names, the plaintext a strictly valid change of
 * that slot, and a presence change must come from a device of the agent it names (in the
 * verified list of the record's epoch). Returns the merge to apply; throws a typed error otherwise.
 */
import { toHex } from '../crypto/index.js';
import {
  type DirectoryView,
  ProtocolStateError,
  UnauthorisedDeviceError,
  checkSealedEpoch,
  decodeCannedReplyChange,
  decodeDeviceListBody,
  decodePresenceChange,
  isRetiredTeamRecordId,
  parseTeamRecordId,
} from '../protocol/index.js';
import { DecodeError, type DeviceId, idEquals } from '../wire/index.js';
import {
  type TeamSharedMerged,
  type TeamSharedState,
  mergeCannedChange,
  mergePresenceChange,
} from './agent-canned-state.js';

export type TeamMerge = (state: TeamSharedState) => TeamSharedMerged;

/** The agent id of `author` in the verified list of version `epoch` the view kept, or its current list. */
function agentOf(view: DirectoryView, epoch: number, author: DeviceId): Uint8Array | undefined {
  const kept = view.history.find((a) => a.version === epoch);
  const devices = kept === undefined ? view.current?.devices : decodeDeviceListBody(kept.signed.body).devices;
  return devices?.find((d) => idEquals(d.deviceId, author))?.agentId;
}

/** `epoch` is the epoch the record is sealed under (its body's, §9.2). */
export function readTeamRecord(
  view: DirectoryView,
  epoch: number,
  recordId: Uint8Array,
  plaintext: Uint8Array,
  author: DeviceId,
): TeamMerge {
  const slot = parseTeamRecordId(recordId);
  if (slot === undefined)
    throw new DecodeError(
      isRetiredTeamRecordId(recordId)
        ? 'history record: a team record of the retired format v1 (no epoch), refused since v2'
        : 'history record: a malformed id in the team namespace',
    );
  // §9.7: ranked by the epoch it is sealed under, so it may name no other.
  checkSealedEpoch(slot.epoch, epoch, 'team record');
  if (slot.kind === 'cannedReply') {
    const change = decodeCannedReplyChange(plaintext, slot);
    return (state) => mergeCannedChange(state, change, author);
  }
  const change = decodePresenceChange(plaintext, slot);
  const agent = agentOf(view, epoch, author);
  if (agent === undefined) throw new ProtocolStateError(`no verified list of version ${epoch} names the author`);
  // §9.7: an agent's presence is set only by that agent's own devices.
  if (toHex(agent) !== toHex(change.agentId))
    throw new UnauthorisedDeviceError('a presence record names another agent than its author device’s');
  return (state) => mergePresenceChange(state, change, author);
}
