/**
 * Typed errors of pairwise sessions (docs/PROTOCOL.md §3.3, §5.4). Each maps to the alert the UI
 * shows (prekeys.ts `prekeyBundleAlert`, conversation's `rejectionAlert`).
 */
import { InvalidKeyError, LimitError } from '../../errors/index.js';
import { ReplayError } from '../core/index.js';

/**
 * Which key of a prekey bundle (or the listed identity key it is used with) is unusable; `exchange`:
 * the X3DH with the device gave an all-zero DH output that no single key check caught.
 */
export const BAD_PREKEY_KINDS = {
  signed: 'signed',
  oneTime: 'one-time',
  identity: 'identity',
  exchange: 'exchange',
} as const;
export type BadPrekeyKind = (typeof BAD_PREKEY_KINDS)[keyof typeof BAD_PREKEY_KINDS];

/**
 * A bundle key that is a small-order X25519 point (RFC 7748 §6.1), or an X3DH with that device that
 * produced an all-zero secret: that device gets no session, the others go on (alert `bad-prekey`).
 */
export class BadPrekeyError extends InvalidKeyError {
  readonly which: BadPrekeyKind;

  constructor(which: BadPrekeyKind, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.which = which;
  }
}

/**
 * A first contact that used no one-time prekey and whose session id this device already accepted
 * (PROTOCOL §3.3 replay cache): the relay replays a recorded first message (alert `replay`).
 */
export class FirstContactReplayError extends ReplayError {}

/**
 * The replay cache of one signed prekey is full (PROTOCOL §3.3): first contacts without a one-time
 * prekey naming it are refused until `maintainPrekeys` rotates it (no alert: a capacity limit).
 */
export class FirstContactCacheFullError extends LimitError {}
