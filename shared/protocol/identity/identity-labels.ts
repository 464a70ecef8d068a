/**
 * Domain-separation labels of the identity layer (docs/PROTOCOL.md §13). Every signature input is
 * `label || 0x00 || bytes` (labels are ASCII without NUL, so the split is unambiguous) and every
 * HKDF `info` is the label's UTF-8 bytes; no two uses share a label.
 */
import { labelled as labelledAny } from '../core/index.js';

export const IDENTITY_LABELS = {
  /** AIK signature over a device list body. */
  deviceList: 'sealdesk/v2/device-list',
  /** SHA-256 of a device list body, used as `previousHash` and as the equivocation identity. */
  deviceListHash: 'sealdesk/v2/device-list-hash',
  /** Device signing key signature over a signed prekey statement (X3DH §3.2, "Sig(IK, Encode(SPK))"). */
  signedPrekey: 'sealdesk/v2/signed-prekey',
  /** Signature (old AIK or recovery key) over an account key rotation statement. */
  rotationAuthority: 'sealdesk/v2/account-key-rotation',
  /** Proof-of-possession signature by the NEW AIK over the same rotation statement. */
  rotationNewKey: 'sealdesk/v2/account-key-rotation/new-key',
  /** Device signing key signature over its own entry (proof of possession, PROTOCOL §4.2). */
  devicePop: 'sealdesk/v2/device-entry-pop',
  /** Requester device signature over a device list change request (PROTOCOL §4.5). */
  listChangeRequest: 'sealdesk/v2/list-change-request',
  /** Owner device signature over its decision on a change request (PROTOCOL §4.5). */
  listChangeDecision: 'sealdesk/v2/list-change-decision',
  /** Fingerprint label of the business (AIK) fingerprint pinned in the embed snippet. */
  businessFingerprint: 'sealdesk/v2/business-fingerprint',
  /** Per-conversation safety code. */
  safetyCode: 'sealdesk/v2/safety-code',
  /** HKDF info: recovery key -> AES-256-GCM key wrapping the AIK seed backup. */
  recoveryWrap: 'sealdesk/v2/recovery/backup-wrap',
  /** HKDF info: recovery key -> Ed25519 seed of the recovery signing key. */
  recoverySigning: 'sealdesk/v2/recovery/signing-seed',
  /** Checksum of the displayed recovery key (catches typing mistakes before any decryption). */
  recoveryChecksum: 'sealdesk/v2/recovery/checksum',
  /** AEAD associated-data label of the AIK seed backup. */
  recoveryBackupAad: 'sealdesk/v2/recovery/backup',
} as const;

export type IdentityLabel = (typeof IDENTITY_LABELS)[keyof typeof IDENTITY_LABELS];

/** `label || 0x00 || bytes`: what is signed or hashed under a label. */
export const labelled: (label: IdentityLabel, bytes: Uint8Array) => Uint8Array = labelledAny;
