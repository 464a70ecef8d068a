/** Client <-> relay frames (docs/PROTOCOL.md §16). */
export { FRAME_ERRORS, type FrameErrorName, frameErrorName } from './error-codes.js';
export { FrameDecodeError, type FrameDecodeReason } from './frame-decode-error.js';
export { FRAME_VERSION } from './frame-header.js';
export {
  type AckFrame,
  CAPABILITY_BYTES,
  CLIENT_FRAME_TYPES,
  type ClientFrame,
  ED25519_SIGNATURE_BYTES,
  type HelloDeviceFrame,
  type HelloVisitorFrame,
  type SendFrame,
  TEAM_SIGNAL_MAX_BYTES,
  type TeamSignalFrame,
  decodeClientFrame,
  encodeClientFrame,
} from './client-frames.js';
export {
  CHALLENGE_BYTES,
  type ChallengeFrame,
  type DeliverFrame,
  type ErrorFrame,
  RELAY_FRAME_TYPES,
  ROLES,
  type ReadyFrame,
  type RelayFrame,
  type StoredFrame,
  type TeamSignalRelayFrame,
  decodeRelayFrame,
  encodeRelayFrame,
} from './relay-frames.js';
export { MAX_FRAME_HEADROOM_BYTES, encodeDeliverFrame, encodeStoredFrame } from './hot-frame-encoders.js';
export { decodeClientFrameFast } from './hot-frame-decoders.js';
export { DEVICE_AUTH_LABEL, deviceAuthMessage } from './device-auth.js';
export {
  IDENTITY_BACKUP_MAX_BYTES,
  IDENTITY_BACKUP_UPLOAD_LABEL,
  identityBackupUploadMessage,
} from './identity-backup-upload.js';
export { ACK_MAX_DELAY_MS, ACK_MAX_UNACKED } from './ack-policy.js';
