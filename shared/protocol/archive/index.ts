/**
 * shared/protocol/archive: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * Key sharing between devices (docs/PROTOCOL.md §9): sealed boxes to one device, the inbox
 * archive keyring with account-signed epochs, authored history records, archive-key grants and
 * the owner's new epoch on a device-set change.
 */
export { archiveGrantPayloadCodec, type ArchiveKey, type HistoryRecord, historyRecordCodec } from './archive-codec.js';
export {
  acceptArchiveKeyGrant,
  ARCHIVE_GRANT_SCOPES,
  type ArchiveGrantScope,
  type ArchiveKeyGrant,
  createArchiveKeyring,
  grantArchiveKeys,
  rotateArchiveOnListChange,
} from './archive-distribution.js';
export { type ArchiveDevice, type ArchiveDeviceList, archiveDeviceSetChanged } from './archive-device-set.js';
export { type ArchiveEpochSigner, createArchiveEpochKey, verifyArchiveEpochKey } from './archive-epoch.js';
export { ArchiveKeyPendingError } from './archive-errors.js';
export {
  type ArchiveAccountKey,
  type ArchiveKeyring,
  type ArchiveKeyringStart,
  applyArchiveDeviceList,
  currentArchiveKey,
  startArchiveKeyring,
} from './archive-keyring.js';
export {
  type HistoryRecordAuthor,
  type HistoryRecordAuthorsAt,
  openHistoryRecord,
  sealHistoryRecord,
} from './archive-record.js';
export {
  openSealedBox,
  type SealedBoxAuthorisedSender,
  type SealedBoxRecipient,
  type SealedBoxSender,
  sealedBoxSender,
  sealToDevice,
} from './sealed-box.js';
export { SEALED_BOX_PURPOSES, type SealedBox, sealedBoxCodec, type SealedBoxPurpose } from './sealed-box-codec.js';
export {
  inTeamNamespace,
  isRetiredTeamRecordId,
  parseTeamRecordId,
  TEAM_RECORD_KINDS,
  TEAM_RECORD_NAMESPACE,
  teamRecordId,
  type TeamRecordKind,
  type TeamRecordSlot,
} from './team-record-ids.js';
export {
  checkSealedEpoch,
  compareTeamRanks,
  EMPTY_TEAM_CLOCK,
  mergeTeamChange,
  nextTeamCounter,
  outranks,
  type TeamClock,
  type TeamEntry,
  type TeamRank,
  tickTeamClock,
} from './team-convergence.js';
export {
  bodyProblem,
  CANNED_REPLY_LIMITS,
  type CannedReplyChange,
  type CannedReplyOp,
  type CannedReplyText,
  checkCannedReplyText,
  decodeCannedReplyChange,
  encodeCannedReplyChange,
  isForbiddenInBody,
  shortcutProblem,
} from './canned-reply-codec.js';
export {
  decodePresenceChange,
  encodePresenceChange,
  type PresenceChange,
  PRESENCE_STATUSES,
  type PresenceStatus,
} from './presence-codec.js';
export {
  decodeTeamEvent,
  encodeTeamEvent,
  isTeamEventRecordId,
  TEAM_EVENT_LIMITS,
  TEAM_EVENT_RECORD_ID_BYTES,
  TEAM_STATUS_CODES,
  type TeamEvent,
  type TeamEventBody,
  TEAM_EVENT_FORMAT,
  teamEventRecordId,
  type TeamStatus,
} from './team-event-codec.js';
export {
  type AuthoredTeamEvent,
  compactTeamEvents,
  compareTeamEvents,
  type ConversationTeamState,
  effectiveTeamStatus,
  nextTeamEventCounter,
  teamEventClock,
  teamEventRank,
  type TeamNote,
  teamStateOf,
} from './team-event-state.js';
export { TEAM_SIGNAL_KINDS, TEAM_SIGNAL_SIZES, type TeamSignal, type TeamSignalKind } from './team-signal-codec.js';
export { openTeamSignal, sealTeamSignal } from './team-signal.js';
export { TEAM_SIGNAL_LABELS } from './team-signal-labels.js';
export { TEAM_SIGNAL_TIMING, TeamSignalOrder, type TeamSignalVerdict } from './team-signal-order.js';
