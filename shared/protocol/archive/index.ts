/**
 * shared/protocol/archive: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * Key sharing between devices (docs/PROTOCOL.md §9): sealed boxes to one device, the inbox
 * archive keyring, history records, archive-key grants and rotation on removal.
 */
export { type ArchiveKey, type HistoryRecord, historyRecordCodec } from './archive-codec.js';
export {
  acceptArchiveKeyGrant,
  ARCHIVE_GRANT_SCOPES,
  type ArchiveGrantScope,
  type ArchiveKeyGrant,
  archiveRotationRequired,
  grantArchiveKeys,
  rotateArchiveOnListChange,
} from './archive-distribution.js';
export {
  type ArchiveKeyring,
  createArchiveKeyring,
  currentArchiveKey,
  rotateArchiveKeyring,
} from './archive-keyring.js';
export { openHistoryRecord, sealHistoryRecord } from './archive-record.js';
export {
  openSealedBox,
  type SealedBoxAuthorisedSender,
  type SealedBoxRecipient,
  type SealedBoxSender,
  sealedBoxSender,
  sealToDevice,
} from './sealed-box.js';
export { SEALED_BOX_PURPOSES, type SealedBox, sealedBoxCodec, type SealedBoxPurpose } from './sealed-box-codec.js';
