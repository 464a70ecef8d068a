/**
 * Time-driven checks and the end of a conversation (docs/PROTOCOL.md §7.6–§7.9):
 * - tick: gaps whose reorder window is over are declared, ack claims that stayed unmet become
 *   device-divergence alerts;
 * - end: when the transport reports the conversation over, every pending gap and claim is
 *   settled, and if no authenticated close was sent or received the conversation was truncated
 *   (alert missing-close, security brief F9).
 */
import { type SecurityAlert, ALERT_KINDS, type ProtocolEnv } from '../core/index.js';
import { settleClaims } from './conversation-acks.js';
import { alertsOf } from './conversation-alerts.js';
import { flushTrack, type ReleasedMessage, type SenderTrack } from './conversation-order.js';
import type { ConversationState, ConversationStep } from './conversation-state.js';

/** Flushes every sender track and settles claims at `now`. */
export function tickState(
  state: ConversationState,
  now: number,
  force: boolean,
): { state: ConversationState; released: ReleasedMessage[]; alerts: SecurityAlert[] } {
  const released: ReleasedMessage[] = [];
  const alerts: SecurityAlert[] = [];
  const tracks: SenderTrack[] = state.tracks.map((track) => {
    const flushed = flushTrack(track, now, force);
    released.push(...flushed.released);
    alerts.push(...alertsOf(flushed.notes, state.conversationId, track.senderId));
    return flushed.track;
  });
  const settled = settleClaims(state.claims, tracks, now, force);
  alerts.push(...alertsOf(settled.notes, state.conversationId));
  return { state: { ...state, tracks, claims: settled.claims }, released, alerts };
}

/** Call on a timer (e.g. every second while messages wait): declares overdue gaps and divergences. */
export function tick(state: ConversationState, env: ProtocolEnv): ConversationStep {
  const t = tickState(state, env.now(), false);
  return { ...t, outgoing: [] };
}

/** The transport reports the conversation over: settle everything and flag a missing close. */
export function endConversation(state: ConversationState, env: ProtocolEnv): ConversationStep {
  const t = tickState(state, env.now(), true);
  const closed = state.closedBySelf || t.state.tracks.some((track) => track.closedAt !== null);
  const alerts = closed
    ? t.alerts
    : [
        ...t.alerts,
        {
          kind: ALERT_KINDS.missingClose,
          detail: 'the conversation ended without an authenticated close: it may have been truncated',
          conversationId: state.conversationId,
        },
      ];
  return { state: { ...t.state, ended: true }, released: t.released, alerts, outgoing: [] };
}
