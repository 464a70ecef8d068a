/**
 * Domain-separation labels of device linking (docs/PROTOCOL.md §10, §13). Same convention as
 * identity/identity-labels.ts: hash and associated-data inputs are `label || 0x00 || bytes`; HKDF info is
 * the label's UTF-8 bytes.
 */
import { labelled } from '../core/index.js';

export const LINKING_LABELS = {
  /** SHA-256 commitment of the existing device to its offer (shown in the QR payload). */
  commitment: 'sealdesk/v2/link/commitment',
  /** SHA-256 transcript hash over payload || hello || offer. */
  transcript: 'sealdesk/v2/link/transcript',
  /** HKDF info: transcript hash -> bytes of the 6-digit short authentication string. */
  sas: 'sealdesk/v2/link/sas',
  /** HKDF info: X25519(ephemerals), salt transcript -> AES-256-GCM key || IV of the grant. */
  channel: 'sealdesk/v2/link/channel',
  /** AEAD associated-data prefix of the grant (the transcript hash follows). */
  grantAad: 'sealdesk/v2/link/grant-aad',
} as const;

export type LinkingLabel = (typeof LINKING_LABELS)[keyof typeof LINKING_LABELS];

/** `label || 0x00 || bytes`. */
export const linkingLabelled: (label: LinkingLabel, bytes: Uint8Array) => Uint8Array = labelled;
