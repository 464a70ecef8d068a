/**
 * shared/protocol/directory: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * The signed device list and a client's view of it (docs/PROTOCOL.md §4, §11): list codec,
 * changes and roles, pin / rollback / equivocation checks, account key rotation, the recovery key.
 */
export {
  decodeDeviceListBody,
  decodeSignedDeviceList,
  deviceEntryCodec,
  deviceKindCodec,
  encodeDeviceListBody,
  encodeSignedDeviceList,
  MAX_SIGNED_DEVICE_LIST_BYTES,
} from './device-list-codec.js';
export {
  createFirstDeviceList,
  createNextDeviceList,
  DEVICE_LIST_LIFETIME_MS,
  DEVICE_LIST_RESIGN_MARGIN_MS,
  deviceListHash,
  listNeedsResigning,
  MAX_DEVICE_LIST_LIFETIME_MS,
  findDevice,
  type FirstDeviceListInput,
  type NextDeviceListInput,
  verifyDeviceListWithPin,
  verifySignedDeviceList,
} from './device-list.js';
export { conversationListOf, conversationListOfSigned, visitorListOf } from './conversation-list.js';
export { type AppliedChange, applyChange, authoriseChange, type DeviceListChange } from './device-list-changes.js';
export {
  createDirectoryView,
  createDirectoryViewForKey,
  receiveDeviceList,
  receiveNoDeviceList,
  requireAccepted,
} from './directory-view.js';
export {
  type ChainLink,
  type DirectoryOutcome,
  type DirectoryUpdate,
  type DirectoryView,
  type EquivocationEvidence,
  type RotationEquivocationEvidence,
} from './directory-view-state.js';
export { receiveRotation, RotationEquivocationError } from './directory-view-rotation.js';
export {
  applyChangeRequest,
  type ChangeApproval,
  type ChangeRequestRefusal,
  ChangeRequestRefusedError,
  checkChangeRequest,
  createListChangeRequest,
  decodeListChangeRequest,
  type DeviceListChangeRequest,
  encodeListChangeRequest,
  listChangeRequestCodec,
  MAX_REQUEST_BODY_BYTES,
  type RequestedChange,
  type SignedListChangeRequest,
} from './list-change-request.js';
export {
  type AnsweredRequest,
  type ChangeRequestDecision,
  changeRequestDecisionCodec,
  ChangeRequestDecisionRefusedError,
  type ChangeRequestOutcome,
  checkChangeRequestDecision,
  createChangeRequestDenial,
  decodeChangeRequestDecision,
  type DecisionRefusal,
  encodeChangeRequestDecision,
  type SignedChangeRequestDecision,
} from './list-change-decision.js';
export { devicesAddedBy, type ListChangeNotice, listChangeNotices, revocationOf } from './device-lineage.js';
export { decodeSignedRotation, encodeSignedRotation, type SignedRotation } from './rotation-codec.js';
export { createRotation, type RotationSigner } from './rotation.js';
export { decodeIdentityBackup } from './recovery-codec.js';
export {
  deriveRecoveryKeys,
  formatRecoveryKey,
  generateRecoveryKey,
  parseRecoveryKey,
  type RecoveryKeys,
  restoreAccountIdentity,
  wrapIdentityBackup,
} from './recovery.js';
