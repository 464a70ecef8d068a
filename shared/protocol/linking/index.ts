/**
 * shared/protocol/linking: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * Device linking (docs/PROTOCOL.md §10): commit-then-reveal with a 6-digit code (the existing
 * device shows the QR code), both sides, the new device's proof of possession, the link payload text form, and the device list entry of the linked device.
 */
export { linkPayloadFromText, linkPayloadToText } from './linking-code-text.js';
export {
  type LinkGrant,
  linkGrantCodec,
  type LinkHello,
  linkHelloCodec,
  type LinkOffer,
  linkOfferCodec,
  type LinkPayload,
  linkPayloadCodec,
} from './linking-codec.js';
export { listLinkedDevice } from './linking-device-list.js';
export { linkingMismatchAlert, LinkingMismatchError } from './linking-errors.js';
export {
  cancelExistingDeviceLink,
  existingDeviceConfirmCode,
  type ExistingDeviceIdentity,
  existingDeviceReceiveHello,
  type LinkAccount,
  type LinkDecision,
  type LinkRelease,
  startExistingDeviceLink,
} from './linking-existing-device.js';
export {
  cancelNewDeviceLink,
  newDeviceConfirmCode,
  type NewDeviceIdentity,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startNewDeviceLink,
} from './linking-new-device.js';
export { type ExistingDeviceLinkState, LINK_PHASES, type LinkStep, type NewDeviceLinkState } from './linking-state.js';
