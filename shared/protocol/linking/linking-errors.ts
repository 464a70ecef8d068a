/**
 * The device-linking failure that means "someone is in the middle" (docs/PROTOCOL.md §10.6): a
 * LinkingAbortedError that also carries the `linkingMismatch` alert for the UI. Never carries key
 * material, codes or transcript bytes.
 */
import { ALERT_KINDS, type SecurityAlert, LinkingAbortedError, SUSPECTS } from '../core/index.js';

export class LinkingMismatchError extends LinkingAbortedError {
  readonly alert: SecurityAlert;

  constructor(detail: string, options?: { readonly cause?: unknown }) {
    super(`device linking aborted: ${detail}`, options);
    this.alert = linkingMismatchAlert(detail);
  }
}

export function linkingMismatchAlert(detail: string): SecurityAlert {
  // PROTOCOL §7.8 suspects: the relay carries every linking message but the QR code.
  return { kind: ALERT_KINDS.linkingMismatch, detail: `device linking: ${detail}`, suspects: [SUSPECTS.relay] };
}
