/**
 * Security alerts are values, not console noise (docs/ARCHITECTURE.md): every detection the
 * protocol makes is returned as a `SecurityAlert` the UI can show, and honest traffic keeps
 * flowing after one. An alert never carries plaintext or key material. Every alert names its
 * `suspects` (docs/PROTOCOL.md §7.8): who could have caused the detection, so that nothing a peer
 * says makes an honest device blame the relay or a sibling without cause (issue #9 item 6).
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
  /** A prekey bundle whose signed or one-time prekey is a low-order or non-canonical small-order point. */
  badPrekey: 'bad-prekey',
  /** A peer acknowledged a message of ours it cannot have (never sent, or with another hash). */
  invalidAck: 'invalid-ack',
  /** A peer closed having received fewer of our messages than we sent before its close arrived. */
  truncation: 'truncation',
  /** An authenticated frame whose content breaks the rules of its kind (e.g. attachment metadata). */
  invalidContent: 'invalid-content',
  /**
   * A rotation signed by the recovery key replaced what the old account key signed after the list
   * the rotation starts from (a stolen account key, PROTOCOL §11.3); evidence: the rotation and the
   * overridden lists and rotations.
   */
  recoveryOverride: 'recovery-override',
  /** The newest device list is past its notAfter: the directory withholds newer lists, or the owner did not re-sign. */
  listExpired: 'list-expired',
  /** A device list that changes or drops the recovery key without a recovery-signed rotation (§4.4). */
  recoveryKeyChange: 'recovery-key-change',
} as const;

export type AlertKind = (typeof ALERT_KINDS)[keyof typeof ALERT_KINDS];

/**
 * Who could have caused a detection: the relay (it can drop, replay, reorder and inject anything it
 * carries), a participant of the conversation (a device or the visitor, by id: it wrote something
 * authenticated), whoever holds the account identity key (it signed it, e.g. two lists of one
 * version), or whoever holds the recovery key (two recovery rotations from one list).
 */
export type AlertSuspect =
  | { readonly kind: 'relay' }
  | { readonly kind: 'participant'; readonly id: DeviceId }
  | { readonly kind: 'account-key' }
  | { readonly kind: 'recovery-key' };

export const SUSPECTS = {
  relay: { kind: 'relay' },
  accountKey: { kind: 'account-key' },
  recoveryKey: { kind: 'recovery-key' },
  participant: (id: DeviceId): AlertSuspect => ({ kind: 'participant', id }),
} as const satisfies Record<string, AlertSuspect | ((id: DeviceId) => AlertSuspect)>;

export interface SecurityAlert {
  readonly kind: AlertKind;
  /** Who could have caused it (never empty). */
  readonly suspects: readonly AlertSuspect[];
  /** Human-readable, safe to show and log: ids and counters only, never content or keys. */
  readonly detail: string;
  readonly conversationId?: ConversationId;
  readonly deviceId?: DeviceId;
  /** Signed artefacts that prove the misbehaviour (e.g. both device lists of an equivocation). */
  readonly evidence?: readonly Uint8Array[];
}
