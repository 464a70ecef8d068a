/**
 * shared/protocol/identity: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * Who is who (docs/PROTOCOL.md §3, §12, §17): the account identity key, device keys, display
 * names, the business fingerprint and safety code, identity labels, OPAQUE stretching parameters.
 */
export {
  type AccountIdentity,
  accountIdentityFromSeed,
  createAccountIdentity,
  createRotatedAccountIdentity,
  type NewAccountIdentity,
} from './account-keys.js';
export {
  createDeviceKeys,
  deviceEntryOf,
  type DeviceKeys,
  type DeviceProfile,
  newAgentId,
  proveDevicePossession,
  verifyProofOfPossession,
} from './device-keys.js';
export {
  accountKeyMatchesPin,
  businessFingerprint,
  businessFingerprintBytes,
  parseBusinessPin,
  safetyCode,
} from './verification.js';
export { DISPLAY_NAME_LIMITS, validateDisplayName } from './display-name.js';
export { parseBase32Text } from './base32-text.js';
export { IDENTITY_LABELS, labelled } from './identity-labels.js';
export { OPAQUE_KEY_STRETCHING } from './login-parameters.js';
