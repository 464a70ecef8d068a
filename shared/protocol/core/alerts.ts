/**
 * Security alerts are values, not console noise (docs/ARCHITECTURE.md): every detection the
 * protocol makes is returned as a `SecurityAlert` the UI can show, and honest traffic keeps
 * flowing after one. An alert never carries plaintext or key material.
 */
import type { ConversationId, DeviceId } from '../../wire/index.js';

export const ALERT_KINDS = {
  /** A later message arrived and one or more earlier sequence numbers never did (dropped). */
  gap: 'gap',
  /** A message that was already processed was delivered again (and ignored). */
  replay: 'replay',
  /** Two different messages claim the same sender sequence, or the hash chain does not link. */
  fork: 'fork',
  /** Devices of one account saw different histories (delivery to only one device). */
  deviceDivergence: 'device-divergence',
  /** Key material does not chain to the business fingerprint pinned in the embed snippet. */
  pinMismatch: 'pin-mismatch',
  /** A device list older than one already seen. */
  rollback: 'rollback',
  /** Two different device lists with one version (split view); evidence is kept. */
  equivocation: 'equivocation',
  /** A device list, prekey or message whose signature does not verify. */
  badSignature: 'bad-signature',
  /** A message that fails authentication (forged, tampered, or injected). */
  forged: 'forged',
  /** A signed prekey older than the allowed age. */
  staleSignedPrekey: 'stale-signed-prekey',
  /** A one-time prekey the directory handed out more than once. */
  prekeyReuse: 'prekey-reuse',
  /** The conversation ended without the peer's authenticated close (truncation). */
  missingClose: 'missing-close',
  /** An attachment chunk missing, reordered or swapped. */
  attachmentTampered: 'attachment-tampered',
  /** Device linking short authentication strings differ: someone is in the middle. */
  linkingMismatch: 'linking-mismatch',
  /** An older protocol version or suite than the conversation already uses. */
  downgrade: 'downgrade',
  /** A packet for another conversation or device was delivered here (the relay spliced or re-routed it). */
  misrouted: 'misrouted',
  /** A counter jump larger than the skipped-key budget. */
  absurdSkip: 'absurd-skip',
  /** An authenticated frame whose content breaks its kind's rules (e.g. attachment metadata, §7.3); its sender made it. */
  invalidContent: 'invalid-content',
} as const;

export type AlertKind = (typeof ALERT_KINDS)[keyof typeof ALERT_KINDS];

export interface SecurityAlert {
  readonly kind: AlertKind;
  /** Human-readable, safe to show and log: ids and counters only, never content or keys. */
  readonly detail: string;
  readonly conversationId?: ConversationId;
  readonly deviceId?: DeviceId;
  /** Signed artefacts that prove the misbehaviour (e.g. both device lists of an equivocation). */
  readonly evidence?: readonly Uint8Array[];
}
