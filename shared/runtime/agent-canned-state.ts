/**
 * The team-shared items an agent device holds (docs/PROTOCOL.md §9.7): canned replies and each
 * agent's presence, as the winning change per item (last writer wins by (counter, author)), and the
 * device's Lamport clock. Kept in the `archive` record (`shared`); pure functions only.
 */
import { toHex } from '../crypto/index.js';
import {
  CANNED_REPLY_LIMITS,
  type CannedReplyChange,
  type CannedReplyText,
  type PresenceChange,
  type PresenceStatus,
  type TeamEntry,
  mergeTeamChange,
} from '../protocol/index.js';
import type { HexId } from './api-common.js';

/** Agents whose presence a device keeps (a list holds at most 64 devices, so fewer agents). */
const MAX_PRESENCE_ENTRIES = 256;

export interface TeamSharedState {
  /** The highest counter this device wrote or read (its next change uses one more). */
  readonly clock: number;
  readonly canned: readonly TeamEntry<CannedReplyText>[];
  readonly presence: readonly TeamEntry<PresenceStatus>[];
}

export const EMPTY_TEAM_SHARED: TeamSharedState = { clock: 0, canned: [], presence: [] };

/** What changed when a change was merged (nothing when it lost to the item's held change). */
export type TeamSharedChanged = 'canned' | 'presence' | undefined;

export function mergeCannedChange(
  state: TeamSharedState,
  change: CannedReplyChange,
  author: HexId,
): { readonly state: TeamSharedState; readonly changed: TeamSharedChanged } {
  const clock = Math.max(state.clock, change.counter);
  const entry: TeamEntry<CannedReplyText> = {
    itemId: toHex(change.replyId),
    rank: { counter: change.counter, author },
    value: change.change.op === 'put' ? { shortcut: change.change.shortcut, body: change.change.body } : undefined,
  };
  const canned = mergeTeamChange(state.canned, entry, CANNED_REPLY_LIMITS.maxReplies);
  return { state: { ...state, clock, canned }, changed: canned === state.canned ? undefined : 'canned' };
}

export function mergePresenceChange(
  state: TeamSharedState,
  change: PresenceChange,
  author: HexId,
): { readonly state: TeamSharedState; readonly changed: TeamSharedChanged } {
  const clock = Math.max(state.clock, change.counter);
  const entry: TeamEntry<PresenceStatus> = {
    itemId: toHex(change.agentId),
    rank: { counter: change.counter, author },
    value: change.status,
  };
  const presence = mergeTeamChange(state.presence, entry, MAX_PRESENCE_ENTRIES);
  return { state: { ...state, clock, presence }, changed: presence === state.presence ? undefined : 'presence' };
}
