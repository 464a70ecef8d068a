/**
 * shared/protocol/session: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * Pairwise sessions (docs/PROTOCOL.md §5, §6): prekeys and bundles, X3DH, the Double Ratchet
 * and first contact (session packets, signed first replies), with their labels and limits.
 */
export { ratchetHeaderCodec } from './ratchet-codec.js';
export { RATCHET_LIMITS } from './ratchet-limits.js';
export { type SessionPacket, sessionPacketCodec } from './ratchet-packet-codec.js';
export {
  openFromPeer,
  type PeerSession,
  type PrekeySecret,
  sealForPeer,
  startInitiatorSession,
  startResponderSession,
} from './first-contact.js';
export {
  type ConsumedOneTimePrekey,
  consumeOneTimePrekey,
  createPrekeyState,
  maintainPrekeys,
  oneTimePrekeyReuseAlert,
  PREKEY_POLICY,
  prekeyBundleAlert,
  prekeyBundleOf,
  type PrekeyMaintenance,
  type PrekeyState,
  prekeyUpload,
  type PrekeyUpload,
  recordFirstContactWithoutOneTimePrekey,
  rotateSignedPrekey,
  signedPrekeyFor,
  verifyPrekeyBundle,
} from './prekeys.js';
export { decodePrekeyBundle, encodePrekeyBundle } from './prekey-codec.js';
export {
  BAD_PREKEY_KINDS,
  type BadPrekeyKind,
  BadPrekeyError,
  FirstContactCacheFullError,
  FirstContactReplayError,
} from './session-errors.js';
export { labelInfo, SESSION_LABELS, sessionLabelled } from './session-labels.js';
