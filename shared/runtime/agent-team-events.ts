/**
 * Team state on an agent device (PROTOCOL §9.8; issue #15 items 1-2): who a conversation is
 * assigned to, its status (open, snoozed until a time, resolved) and its internal notes. Each change
 * is a team event sealed as a history record under the current archive epoch key (agent-archive.ts),
 * so the relay stores only ciphertext, and every device of the account (one linked later too)
 * computes the same state from the same events (`teamStateOf`). Notes are never part of a
 * conversation with the visitor: they exist only as archive records between the account's devices.
 */
import { fromHex, toHex } from '../crypto/index.js';
import { UsageError } from '../errors/index.js';
import {
  type AuthoredTeamEvent,
  type ConversationTeamState,
  type DirectoryView,
  TEAM_EVENT_LIMITS,
  type TeamEventBody,
  decodeDeviceListBody,
  effectiveTeamStatus,
  teamStateOf,
} from '../protocol/index.js';
import type { ConversationSummary } from './api-agent.js';
import type { ChatMessage, HexId } from './api-common.js';
import { type TeamEventDraft, noteMessageId } from './agent-team-events-record.js';

/** What `setStatus` takes: a snooze names the time it ends (ms since the epoch, in the future). */
export type TeamStatusChange = 'open' | 'resolved' | { readonly snoozedUntil: number };

const HEX_ID = /^[0-9a-f]{32}$/;
const encoder = new TextEncoder();

function idOf(hex: string, what: string): Uint8Array {
  if (!HEX_ID.test(hex)) throw new UsageError(`${what} is 32 lower-case hex digits`);
  return fromHex(hex);
}

/** Checks an assignment against the current signed list: only an agent of the account (or nobody). */
export function assignDraft(
  view: DirectoryView,
  conversationId: HexId,
  agentId: HexId | null,
  now: number,
): TeamEventDraft {
  const conversation = idOf(conversationId, 'a conversation id');
  if (agentId === null) return { conversationId: conversation, at: now, body: { kind: 'assign', assignee: undefined } };
  const agent = idOf(agentId, 'an agent id');
  if (!(view.current?.devices ?? []).some((d) => toHex(d.agentId) === agentId))
    throw new UsageError('this agent is not in the account’s device list');
  return { conversationId: conversation, at: now, body: { kind: 'assign', assignee: agent } };
}

export function statusDraft(conversationId: HexId, change: TeamStatusChange, now: number): TeamEventDraft {
  const conversation = idOf(conversationId, 'a conversation id');
  let body: TeamEventBody;
  if (change === 'open' || change === 'resolved') body = { kind: 'status', status: change, snoozedUntil: 0 };
  else {
    const until = change.snoozedUntil;
    if (!Number.isSafeInteger(until) || until <= now) throw new UsageError('a snooze ends at a time in the future');
    body = { kind: 'status', status: 'snoozed', snoozedUntil: until };
  }
  return { conversationId: conversation, at: now, body };
}

export function noteDraft(conversationId: HexId, text: string, now: number): TeamEventDraft {
  const conversation = idOf(conversationId, 'a conversation id');
  if (text.trim() === '') throw new UsageError('a note needs some text');
  if (encoder.encode(text).length > TEAM_EVENT_LIMITS.maxNoteBytes)
    throw new UsageError(`a note is at most ${TEAM_EVENT_LIMITS.maxNoteBytes} bytes of UTF-8`);
  return { conversationId: conversation, at: now, body: { kind: 'note', text } };
}

/** The team events this device holds, grouped by conversation and reduced to their state. */
export class TeamStates {
  readonly #states = new Map<HexId, ConversationTeamState>();

  constructor(events: readonly AuthoredTeamEvent[]) {
    const byConversation = new Map<HexId, AuthoredTeamEvent[]>();
    for (const e of events) {
      const id = toHex(e.event.conversationId);
      const list = byConversation.get(id) ?? [];
      list.push(e);
      byConversation.set(id, list);
    }
    for (const [id, list] of byConversation) this.#states.set(id, teamStateOf(list));
  }

  of(conversationId: HexId): ConversationTeamState | undefined {
    return this.#states.get(conversationId);
  }

  conversationIds(): IterableIterator<HexId> {
    return this.#states.keys();
  }

  /** The earliest snooze end after `now` (when a snoozed conversation opens again), if any. */
  nextSnoozeEnd(now: number): number | undefined {
    let next: number | undefined;
    for (const s of this.#states.values())
      if (s.status === 'snoozed' && s.snoozedUntil > now) next = Math.min(next ?? Infinity, s.snoozedUntil);
    return next;
  }
}

/** A summary with the team's status and assignee (§9.8); without team status, a closed chat is resolved. */
export function withTeamState(
  summary: ConversationSummary,
  state: ConversationTeamState | undefined,
  now: number,
  lastVisitorAt: number,
): ConversationSummary {
  if (state === undefined) return summary;
  const status = state.statusSet ? effectiveTeamStatus(state, now, lastVisitorAt) : summary.status;
  const rest: ConversationSummary = { ...summary };
  delete (rest as { snoozedUntil?: number }).snoozedUntil;
  delete (rest as { assignee?: HexId }).assignee;
  return {
    ...rest,
    status,
    ...(status === 'snoozed' ? { snoozedUntil: state.snoozedUntil } : {}),
    ...(state.assignee === undefined ? {} : { assignee: toHex(state.assignee) }),
  };
}

/** When the visitor last wrote, by this device's receive time (0 when never). */
export function lastVisitorAt(messages: readonly ChatMessage[]): number {
  let at = 0;
  for (const m of messages) if (m.from === 'visitor') at = Math.max(at, m.receivedAt);
  return at;
}

/** The agent name of a device from the lists the view kept (the newest naming it). */
function agentNameOf(view: DirectoryView, deviceHex: HexId): string | undefined {
  for (const kept of [...view.history].reverse()) {
    const device = decodeDeviceListBody(kept.signed.body).devices.find((d) => toHex(d.deviceId) === deviceHex);
    if (device !== undefined) return device.agentName;
  }
  return undefined;
}

/** A conversation's notes as history entries of kind `note` (agent devices only). */
export function notesAsMessages(
  state: ConversationTeamState | undefined,
  conversationId: HexId,
  self: HexId,
  view: DirectoryView,
): ChatMessage[] {
  return (state?.notes ?? []).map((n) => {
    const author = toHex(n.author);
    const agentName = agentNameOf(view, author);
    return {
      id: noteMessageId(n.author, n.epoch, n.counter),
      conversationId,
      from: author === self ? 'self' : 'agent',
      senderDeviceId: author,
      ...(agentName === undefined ? {} : { agentName }),
      sentAt: n.at,
      receivedAt: n.at,
      body: { kind: 'note', text: n.text },
    };
  });
}

/** Notes placed among the messages by time (a message's receive time, a note's author time). */
export function withNotes(messages: readonly ChatMessage[], notes: readonly ChatMessage[]): ChatMessage[] {
  if (notes.length === 0) return [...messages];
  const out: ChatMessage[] = [];
  const waiting = [...notes].sort((a, b) => a.sentAt - b.sentAt);
  for (const m of messages) {
    while (waiting.length > 0 && (waiting[0]?.sentAt ?? Infinity) < m.receivedAt) out.push(...waiting.splice(0, 1));
    out.push(m);
  }
  return [...out, ...waiting];
}
