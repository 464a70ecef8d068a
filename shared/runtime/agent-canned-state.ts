/**
 * The team-shared items an agent device holds (docs/PROTOCOL.md §9.7): canned replies and each
 * agent's presence, as the winning change per item (last writer wins by (epoch, counter, author)),
 * and the device's Lamport clock (the highest (epoch, counter) it wrote or read). Kept in the
 * `archive` record (`shared`); pure functions only.
 */
import {
  CANNED_REPLY_LIMITS,
  type CannedReplyChange,
  type CannedReplyOp,
  type CannedReplyText,
  EMPTY_TEAM_CLOCK,
  type PresenceChange,
  type PresenceStatus,
  type TeamClock,
  type TeamEntry,
  encodeCannedReplyChange,
  encodePresenceChange,
  mergeTeamChange,
  nextTeamCounter,
  teamRecordId,
  tickTeamClock,
} from '../protocol/index.js';
import { toHex } from '../crypto/index.js';

/** Agents whose presence a device keeps (a list holds at most 64 devices, so fewer agents). */
const MAX_PRESENCE_ENTRIES = 256;

export interface TeamSharedState {
  /** The highest (epoch, counter) this device wrote or read (§9.7 clock rule). */
  readonly clock: TeamClock;
  readonly canned: readonly TeamEntry<CannedReplyText>[];
  readonly presence: readonly TeamEntry<PresenceStatus>[];
}

export const EMPTY_TEAM_SHARED: TeamSharedState = { clock: EMPTY_TEAM_CLOCK, canned: [], presence: [] };

/** What changed when a change was merged (nothing when it lost to the item's held change). */
export type TeamSharedChanged = 'canned' | 'presence' | undefined;

export interface TeamSharedMerged {
  readonly state: TeamSharedState;
  readonly changed: TeamSharedChanged;
}

/**
 * A change this device makes, before it has a rank: its epoch and counter come with the current
 * archive key when it is sealed (§9.7), so one made while the key is pending waits as a draft.
 */
export type TeamSharedDraft =
  | { readonly kind: 'cannedReply'; readonly replyId: Uint8Array; readonly change: CannedReplyOp }
  | { readonly kind: 'presence'; readonly agentId: Uint8Array; readonly status: PresenceStatus };

export function mergeCannedChange(
  state: TeamSharedState,
  change: CannedReplyChange,
  author: Uint8Array,
): TeamSharedMerged {
  const clock = tickTeamClock(state.clock, change);
  const entry: TeamEntry<CannedReplyText> = {
    itemId: toHex(change.replyId),
    rank: { epoch: change.epoch, counter: change.counter, author },
    value: change.change.op === 'put' ? { shortcut: change.change.shortcut, body: change.change.body } : undefined,
  };
  const canned = mergeTeamChange(state.canned, entry, CANNED_REPLY_LIMITS.maxReplies);
  return { state: { ...state, clock, canned }, changed: canned === state.canned ? undefined : 'canned' };
}

export function mergePresenceChange(
  state: TeamSharedState,
  change: PresenceChange,
  author: Uint8Array,
): TeamSharedMerged {
  const clock = tickTeamClock(state.clock, change);
  const entry: TeamEntry<PresenceStatus> = {
    itemId: toHex(change.agentId),
    rank: { epoch: change.epoch, counter: change.counter, author },
    value: change.status,
  };
  const presence = mergeTeamChange(state.presence, entry, MAX_PRESENCE_ENTRIES);
  return { state: { ...state, clock, presence }, changed: presence === state.presence ? undefined : 'presence' };
}

/**
 * §9.7: a draft ranked under `epoch` (the current archive key's) with this device's next counter
 * there, merged into the items held, and the record id and plaintext that carry it.
 */
export function stampSharedDraft(
  state: TeamSharedState,
  draft: TeamSharedDraft,
  epoch: number,
  author: Uint8Array,
): TeamSharedMerged & { readonly recordId: Uint8Array; readonly plaintext: Uint8Array } {
  const counter = nextTeamCounter(state.clock, epoch);
  if (draft.kind === 'cannedReply') {
    const change: CannedReplyChange = { replyId: draft.replyId, epoch, counter, change: draft.change };
    return {
      ...mergeCannedChange(state, change, author),
      recordId: teamRecordId({ kind: 'cannedReply', itemId: draft.replyId, epoch, counter }),
      plaintext: encodeCannedReplyChange(change),
    };
  }
  const change: PresenceChange = { agentId: draft.agentId, epoch, counter, status: draft.status };
  return {
    ...mergePresenceChange(state, change, author),
    recordId: teamRecordId({ kind: 'presence', itemId: draft.agentId, epoch, counter }),
    plaintext: encodePresenceChange(change),
  };
}
