/**
 * Team events (PROTOCOL §9.8) as an agent device keeps them in its `archive` record, and the two
 * archive steps they need: sealing this device's own events under the current epoch key (or keeping
 * them until it arrives, §9.1) and opening another device's. Fields are optional so that archive
 * records saved before team events existed are read as having none.
 */
import { toHex } from '../crypto/index.js';
import {
  type ArchiveKeyring,
  type AuthoredTeamEvent,
  type TeamEventBody,
  ArchiveKeyPendingError,
  checkSealedEpoch,
  compactTeamEvents,
  currentArchiveKey,
  decodeTeamEvent,
  encodeTeamEvent,
  nextTeamEventCounter,
  sealHistoryRecord,
  teamEventRecordId,
} from '../protocol/index.js';
import type { ProtocolEnv, SealedBoxSender } from '../protocol/index.js';
import { asConversationId } from '../wire/index.js';
import type { AgentArchiveRecord } from './agent-archive-record.js';

/** Team events this device keeps at most (after compaction: notes, winners, each epoch's highest). */
export const MAX_TEAM_EVENTS = 20_000;

/** An event this device made that waits for the current archive key (its epoch and counter come then). */
export interface TeamEventDraft {
  readonly conversationId: Uint8Array;
  readonly at: number;
  readonly body: TeamEventBody;
}

export function teamEventsOf(record: AgentArchiveRecord): readonly AuthoredTeamEvent[] {
  return record.team ?? [];
}

/** Adds events (read or written), compacted and capped: oldest notes go first past the cap. */
export function withTeamEvents(record: AgentArchiveRecord, added: readonly AuthoredTeamEvent[]): AgentArchiveRecord {
  if (added.length === 0) return record;
  const all = compactTeamEvents([...teamEventsOf(record), ...added]);
  const team = all.length > MAX_TEAM_EVENTS ? all.slice(all.length - MAX_TEAM_EVENTS) : all;
  return { ...record, team };
}

/**
 * §9.8: seals each draft under the current epoch key with the next counter of that epoch; with no
 * current key (ArchiveKeyPendingError, or no keyring yet) the drafts wait in `teamUnsealed`.
 */
export async function sealTeamDrafts(
  record: AgentArchiveRecord,
  drafts: readonly TeamEventDraft[],
  env: ProtocolEnv,
  author: SealedBoxSender,
): Promise<AgentArchiveRecord> {
  let keyring: ArchiveKeyring | undefined = record.keyring;
  let next = record;
  const waiting: TeamEventDraft[] = [];
  const sealed: { recordId: Uint8Array; record: Uint8Array; notify: true }[] = [];
  for (const draft of drafts) {
    if (keyring === undefined) {
      waiting.push(draft);
      continue;
    }
    let epoch: number;
    try {
      epoch = currentArchiveKey(keyring).epoch;
    } catch (error) {
      if (!(error instanceof ArchiveKeyPendingError)) throw error;
      waiting.push(draft);
      continue;
    }
    const event = {
      conversationId: asConversationId(draft.conversationId),
      epoch,
      counter: nextTeamEventCounter(teamEventsOf(next), epoch),
      at: draft.at,
      body: draft.body,
    };
    const recordId = teamEventRecordId(epoch, event.counter);
    const out = await sealHistoryRecord(keyring, env, author, recordId, encodeTeamEvent(event));
    keyring = out.keyring;
    sealed.push({ recordId, record: out.record, notify: true });
    next = withTeamEvents({ ...next, keyring }, [{ event, author: author.deviceId }]);
  }
  return {
    ...next,
    keyring,
    outgoingRecords: [...next.outgoingRecords, ...sealed],
    teamUnsealed: waiting,
  };
}

/** §9.8: the event of an opened team record; its epoch must be the one it was sealed under. */
export function openedTeamEvent(
  plaintext: Uint8Array,
  recordId: Uint8Array,
  sealedEpoch: number,
  author: Uint8Array,
): AuthoredTeamEvent {
  const event = decodeTeamEvent(plaintext, recordId);
  checkSealedEpoch(event.epoch, sealedEpoch, 'team event');
  return { event, author };
}

/** A stable id for a note shown in a conversation's history. */
export function noteMessageId(author: Uint8Array, epoch: number, counter: number): string {
  return `note:${toHex(author)}:${epoch}:${counter}`;
}
