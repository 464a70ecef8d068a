/**
 * Domain-separation labels of the inbox archive (docs/PROTOCOL.md §9, §13). Same convention as
 * identity/identity-labels.ts: `label || 0x00 || bytes` for signatures, hashes, associated data and HKDF info.
 */
import { labelled } from '../core/index.js';

export const ARCHIVE_LABELS = {
  /** HKDF info prefix: archive key -> AES-256-GCM key of history records (epoch and key id follow). */
  recordKey: 'sealdesk/v2/archive/record-key',
  /** AEAD associated-data prefix of one history record. */
  recordAad: 'sealdesk/v2/archive/record-aad',
  /** Account key (AIK) signature over an archive epoch statement (§9.1, issue #9 item 1). */
  epoch: 'sealdesk/v2/archive-epoch',
  /** SHA-256 commitment to an archive key, carried in its epoch statement (§9.1). */
  epochCommitment: 'sealdesk/v2/archive-epoch/commitment',
  /** Author device signature over a history record (§9.2, issue #17 item 8). */
  historyRecord: 'sealdesk/v2/history-record',
} as const;

export type ArchiveLabel = (typeof ARCHIVE_LABELS)[keyof typeof ARCHIVE_LABELS];

/** `label || 0x00 || bytes`. */
export const archiveLabelled: (label: ArchiveLabel, bytes: Uint8Array) => Uint8Array = labelled;
