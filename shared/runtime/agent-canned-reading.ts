/**
 * Reading one team-shared history record (docs/PROTOCOL.md §9.7) after its seal and author were
 * checked (§9.2): the record id must be exactly a team record id, the plaintext a strictly valid
 * change of that slot, and a presence change must come from a device of the agent it names (in the
 * verified list of the record's epoch). Returns the merge to apply; throws a typed error otherwise.
 */
import { toHex } from '../crypto/index.js';
import {
  type DirectoryView,
  ProtocolStateError,
  UnauthorisedDeviceError,
  decodeCannedReplyChange,
  decodeDeviceListBody,
  decodePresenceChange,
  parseTeamRecordId,
} from '../protocol/index.js';
import { DecodeError, type DeviceId, idEquals } from '../wire/index.js';
import {
  type TeamSharedChanged,
  type TeamSharedState,
  mergeCannedChange,
  mergePresenceChange,
} from './agent-canned-state.js';

export type TeamMerge = (state: TeamSharedState) => {
  readonly state: TeamSharedState;
  readonly changed: TeamSharedChanged;
};

/** The agent id of `author` in the verified list of version `epoch` the view kept, or its current list. */
function agentOf(view: DirectoryView, epoch: number, author: DeviceId): Uint8Array | undefined {
  const kept = view.history.find((a) => a.version === epoch);
  const devices = kept === undefined ? view.current?.devices : decodeDeviceListBody(kept.signed.body).devices;
  return devices?.find((d) => idEquals(d.deviceId, author))?.agentId;
}

export function readTeamRecord(
  view: DirectoryView,
  epoch: number,
  recordId: Uint8Array,
  plaintext: Uint8Array,
  author: DeviceId,
): TeamMerge {
  const slot = parseTeamRecordId(recordId);
  if (slot === undefined) throw new DecodeError('history record: a malformed id in the team namespace');
  const authorHex = toHex(author);
  if (slot.kind === 'cannedReply') {
    const change = decodeCannedReplyChange(plaintext, slot);
    return (state) => mergeCannedChange(state, change, authorHex);
  }
  const change = decodePresenceChange(plaintext, slot);
  const agent = agentOf(view, epoch, author);
  if (agent === undefined) throw new ProtocolStateError(`no verified list of version ${epoch} names the author`);
  // §9.7: an agent's presence is set only by that agent's own devices.
  if (toHex(agent) !== toHex(change.agentId))
    throw new UnauthorisedDeviceError('a presence record names another agent than its author device’s');
  return (state) => mergePresenceChange(state, change, authorHex);
}
