/**
 * Domain-separation labels of encrypted attachments (docs/PROTOCOL.md §8, §13). Same convention
 * as identity/identity-labels.ts: associated data is `label || 0x00 || bytes`, HKDF info is the label's
 * UTF-8 bytes.
 */
import { labelled } from '../core/index.js';

export const ATTACHMENT_LABELS = {
  /** HKDF info: file key -> AES-256-GCM chunk key (32 bytes) || IV base (12 bytes). */
  chunkKeys: 'sealdesk/v2/attachment/chunk-keys',
  /** AEAD associated-data prefix of one chunk. */
  chunkAad: 'sealdesk/v2/attachment/chunk-aad',
  /** SHA-256 input prefix of a chunk hash h_i, followed by `u32 i || sealed chunk i` (§8.3). */
  chunkHash: 'sealdesk/v2/attachment/chunk-hash',
} as const;

export type AttachmentLabel = (typeof ATTACHMENT_LABELS)[keyof typeof ATTACHMENT_LABELS];

/** `label || 0x00 || bytes`. */
export const attachmentLabelled: (label: AttachmentLabel, bytes: Uint8Array) => Uint8Array = labelled;
