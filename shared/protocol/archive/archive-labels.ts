/**
 * Domain-separation labels of the inbox archive (docs/PROTOCOL.md §9, §13). Same convention as
 * identity/identity-labels.ts: `label || 0x00 || bytes` for associated data and HKDF info.
 */
import { labelled } from '../core/index.js';

export const ARCHIVE_LABELS = {
  /** HKDF info prefix: archive key -> AES-256-GCM key of history records (epoch and key id follow). */
  recordKey: 'sealdesk/v2/archive/record-key',
  /** AEAD associated-data prefix of one history record. */
  recordAad: 'sealdesk/v2/archive/record-aad',
} as const;

export type ArchiveLabel = (typeof ARCHIVE_LABELS)[keyof typeof ARCHIVE_LABELS];

/** `label || 0x00 || bytes`. */
export const archiveLabelled: (label: ArchiveLabel, bytes: Uint8Array) => Uint8Array = labelled;
