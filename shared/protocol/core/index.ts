/**
 * shared/protocol/core: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * What every protocol sub-module shares: the injected ProtocolEnv, the typed protocol errors,
 * security alerts, the device and prekey model, `labelled` domain separation and versioned codecs.
 */
export { type ProtocolEnv } from './env.js';
export {
  AttachmentIntegrityError,
  DeviceListGapError,
  DowngradeError,
  EquivocationError,
  ExpiredDeviceListError,
  InvalidContentError,
  InvalidDisplayNameError,
  LinkingAbortedError,
  MisroutedPacketError,
  NoVerifiedBundleError,
  OneTimePrekeyReuseError,
  PinMismatchError,
  ProtocolStateError,
  RecoveryKeyChangeError,
  ReplayError,
  RollbackError,
  StaleSignedPrekeyError,
  UnauthorisedDeviceError,
} from './errors.js';
export { ALERT_KINDS, type AlertKind, type AlertSuspect, type SecurityAlert, SUSPECTS } from './alerts.js';
export {
  DEVICE_KINDS,
  type ConversationDeviceList,
  type DeviceEntry,
  type DeviceKind,
  type DeviceList,
  type ListLink,
  type PrekeyBundle,
  type Role,
  ROLES,
  type SignedDeviceList,
} from './model.js';
export { labelled } from './labelled.js';
export { versioned } from './versioned-codec.js';
