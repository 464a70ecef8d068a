/** Protocol-level failure kinds. Each is a typed error; the matching alert (alerts.ts) is what the UI shows. */
import { DecodeError, SealdeskError } from '../../errors/index.js';
import type { SecurityAlert } from './alerts.js';

/** A message, key or list was seen before and must not be processed twice. */
export class ReplayError extends SealdeskError {
  readonly code = 'replay';
}

/**
 * Key material does not chain to the pinned business fingerprint. `servedFingerprint` is the
 * fingerprint (PROTOCOL §12.1 text form) of the account key that was served instead, when one was,
 * so the visitor can compare it with the pin (PROTOCOL §12.1 "Pin mismatch: what the visitor sees").
 */
export class PinMismatchError extends SealdeskError {
  readonly code = 'pin-mismatch';
  readonly servedFingerprint: string | undefined;

  constructor(message: string, options?: { readonly cause?: unknown; readonly servedFingerprint?: string }) {
    super(message, options);
    this.servedFingerprint = options?.servedFingerprint;
  }
}

/** A device list older than the newest one already seen. */
export class RollbackError extends SealdeskError {
  readonly code = 'rollback';
}

/** Two different signed device lists with the same version: the relay shows different views. */
export class EquivocationError extends SealdeskError {
  readonly code = 'equivocation';
}

/**
 * A device list that changes or drops the recovery key of its predecessor without a rotation signed
 * by that recovery key (PROTOCOL §4.4, §11.3; issue #17 item 1): only the recovery key may change it.
 */
export class RecoveryKeyChangeError extends SealdeskError {
  readonly code = 'recovery-key-change';
}

/** The input is well-formed but not allowed in the current state (wrong step, closed conversation …). */
export class ProtocolStateError extends SealdeskError {
  readonly code: string = 'protocol-state';
}

/**
 * No agent device offered a prekey bundle that verifies against the signed list (PROTOCOL §5.1):
 * nothing was encrypted and nothing is sent. `alerts` name each refused device (bad-signature,
 * bad-prekey, stale-signed-prekey) so a runtime can say why in plain words.
 */
export class NoVerifiedBundleError extends ProtocolStateError {
  override readonly code = 'no-verified-bundle';
  constructor(
    message: string,
    readonly alerts: readonly SecurityAlert[],
  ) {
    super(message);
  }
}

/**
 * A device list more than one version ahead of the view: the skipped lists must be checked link by
 * link first (PROTOCOL §4.4; issue #9 item 8, #17 item 4). Fetch the missing versions and retry.
 */
export class DeviceListGapError extends ProtocolStateError {
  override readonly code = 'list-gap';
}

/**
 * The newest device list a visitor holds is past its `notAfter` (PROTOCOL §4.2, §4.4; issue #17
 * item 4): no conversation starts on it. Fetch a newer list; `alert` is what the UI shows.
 */
export class ExpiredDeviceListError extends ProtocolStateError {
  override readonly code = 'list-expired';
  constructor(
    message: string,
    readonly alert: SecurityAlert,
  ) {
    super(message);
  }
}

/** A packet that names another conversation or recipient than where it was delivered (relay splicing). */
export class MisroutedPacketError extends ProtocolStateError {
  override readonly code = 'misrouted';
}

/** A sender, device or key that is not authorised by the current signed device list. */
export class UnauthorisedDeviceError extends SealdeskError {
  readonly code = 'unauthorised-device';
}

/** Device linking aborted: the short authentication strings differ or the exchange was tampered with. */
export class LinkingAbortedError extends SealdeskError {
  readonly code = 'linking-aborted';
}

/** An encrypted attachment that is truncated, reordered, swapped or does not match its hash. */
export class AttachmentIntegrityError extends SealdeskError {
  readonly code = 'attachment-integrity';
}

/**
 * Well-formed bytes whose content breaks the rules of what they encode (PROTOCOL §7.3, §8.2: an
 * attachment reference with a spoofing file name, a size past the cap, a media type that is not
 * one, an inconsistent chunk count). A DecodeError, so that decoders still fail only with decode
 * errors (§2.7); inside an authenticated conversation frame only its sender can have made it
 * (alert `invalid-content`).
 */
export class InvalidContentError extends DecodeError {
  override readonly code = 'invalid-content';
}

/** An agent display name with bidi controls, zero-width, invisible or other spoofing characters. */
export class InvalidDisplayNameError extends SealdeskError {
  readonly code = 'invalid-display-name';
}

/** A signed prekey older than the allowed age (or dated in the future): the bundle must not be used. */
export class StaleSignedPrekeyError extends SealdeskError {
  readonly code = 'stale-signed-prekey';
}

/** A message that uses an older protocol version or suite than its session (F21): never processed. */
export class DowngradeError extends SealdeskError {
  readonly code = 'downgrade';
}

/** A first message names a one-time prekey this device already used (the directory handed it out twice). */
export class OneTimePrekeyReuseError extends ReplayError {}
