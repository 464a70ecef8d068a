/**
 * Domain-separation labels of team signals (docs/PROTOCOL.md §9.9, §13). Same convention as
 * archive-labels.ts: `label || 0x00 || bytes`.
 */
import { labelled } from '../core/index.js';

export const TEAM_SIGNAL_LABELS = {
  /** HKDF info prefix: archive key -> AES-256-GCM key of one author's team signals (epoch, key id, author follow). */
  key: 'sealdesk/v2/team-signal/key',
  /** AEAD associated-data prefix of a team signal. */
  aad: 'sealdesk/v2/team-signal/aad',
  /** Author device signature over a team signal. */
  signature: 'sealdesk/v2/team-signal',
} as const;

export type TeamSignalLabel = (typeof TEAM_SIGNAL_LABELS)[keyof typeof TEAM_SIGNAL_LABELS];

/** `label || 0x00 || bytes`. */
export const teamSignalLabelled: (label: TeamSignalLabel, bytes: Uint8Array) => Uint8Array = labelled;
