/**
 * Domain-separation labels of the sealed box (docs/PROTOCOL.md §9.4, §13). Same convention as
 * identity/identity-labels.ts: a signature or AEAD associated-data input is `label || 0x00 || bytes`, an
 * HKDF `info` is `label || 0x00 || header bytes`; no label is shared with any other use.
 */
import { labelled } from '../core/index.js';

export const SEALED_BOX_LABELS = {
  /** HKDF info prefix: X25519 shared secret -> AES-256-GCM key and IV of one sealed box. */
  key: 'sealdesk/v2/sealed-box/key',
  /** AEAD associated-data prefix of a sealed box (the header follows). */
  aad: 'sealdesk/v2/sealed-box/aad',
  /** Sender device signature over the sealed box body (header and ciphertext). */
  signature: 'sealdesk/v2/sealed-box/signature',
} as const;

export type SealedBoxLabel = (typeof SEALED_BOX_LABELS)[keyof typeof SEALED_BOX_LABELS];

/** `label || 0x00 || bytes`. */
export const sealedBoxLabelled: (label: SealedBoxLabel, bytes: Uint8Array) => Uint8Array = labelled;
