/**
 * Sealing this device's own canned-reply and presence changes (docs/PROTOCOL.md §9.7): each draft
 * is ranked under the current archive epoch key with the next counter of that epoch (the clock rule
 * of §9.7), merged into the items held and sealed as a history record (§9.2) in one step; with no
 * current key (ArchiveKeyPendingError, or no keyring yet) the drafts wait in `sharedUnsealed` and
 * are ranked when the key arrives — never sealed under an older key, as team events (§9.8).
 */
import {
  type ArchiveKeyring,
  ArchiveKeyPendingError,
  type ProtocolEnv,
  type SealedBoxSender,
  currentArchiveKey,
  sealHistoryRecord,
} from '../protocol/index.js';
import type { AgentArchiveRecord } from './agent-archive-record.js';
import {
  EMPTY_TEAM_SHARED,
  type TeamSharedChanged,
  type TeamSharedDraft,
  stampSharedDraft,
} from './agent-canned-state.js';

/** The current key's epoch, or undefined while it is pending (§9.1). */
function currentEpoch(keyring: ArchiveKeyring | undefined): number | undefined {
  if (keyring === undefined) return undefined;
  try {
    return currentArchiveKey(keyring).epoch;
  } catch (error) {
    if (error instanceof ArchiveKeyPendingError) return undefined;
    throw error;
  }
}

export async function sealSharedDrafts(
  record: AgentArchiveRecord,
  drafts: readonly TeamSharedDraft[],
  env: ProtocolEnv,
  author: SealedBoxSender,
): Promise<{ readonly record: AgentArchiveRecord; readonly changed: ReadonlySet<NonNullable<TeamSharedChanged>> }> {
  let keyring = record.keyring;
  let shared = record.shared ?? EMPTY_TEAM_SHARED;
  const changed = new Set<NonNullable<TeamSharedChanged>>();
  const waiting: TeamSharedDraft[] = [];
  // Team-shared records ask the relay to nudge the other devices (§16.11), as team events do.
  const sealed: { recordId: Uint8Array; record: Uint8Array; notify: true }[] = [];
  for (const draft of drafts) {
    const epoch = currentEpoch(keyring);
    if (keyring === undefined || epoch === undefined) {
      waiting.push(draft);
      continue;
    }
    const stamped = stampSharedDraft(shared, draft, epoch, author.deviceId);
    const out = await sealHistoryRecord(keyring, env, author, stamped.recordId, stamped.plaintext);
    keyring = out.keyring;
    shared = stamped.state;
    if (stamped.changed !== undefined) changed.add(stamped.changed);
    sealed.push({ recordId: stamped.recordId, record: out.record, notify: true });
  }
  return {
    record: {
      ...record,
      keyring,
      shared,
      outgoingRecords: [...record.outgoingRecords, ...sealed],
      sharedUnsealed: waiting,
    },
    changed,
  };
}
