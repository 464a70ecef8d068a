/**
 * Time-driven checks and the end of a conversation (docs/PROTOCOL.md §7.6–§7.9):
 * - tick: gaps whose reorder window is over are declared, ack claims that stayed unmet become
 *   device-divergence alerts;
 * - end: when the transport reports the conversation over, every pending gap and claim is
 *   settled, and if no authenticated close was sent or received the conversation was truncated
 *   (alert missing-close, security brief F9).
 */
import { toHex } from '../../crypto/index.js';
import { idEquals, type DeviceId } from '../../wire/index.js';
import { type SecurityAlert, ALERT_KINDS, type ProtocolEnv, SUSPECTS } from '../core/index.js';
import { settleClaims } from './conversation-acks.js';
import { alertsOf } from './conversation-alerts.js';
import { flushTrack, type ReleasedMessage, type SenderTrack } from './conversation-order.js';
import type { ConversationState, ConversationStep } from './conversation-state.js';

/**
 * PROTOCOL §7.9 (issue #9 item 4): a released close that acknowledges fewer of this participant's
 * messages than it has sent means the last ones never reached the peer before it closed (the relay
 * dropped them, or they crossed the close in flight; the peer will not read them in this conversation).
 */
export function truncationAlerts(state: ConversationState, released: readonly ReleasedMessage[]): SecurityAlert[] {
  const sent = state.nextSendSeq - 1;
  return released.flatMap((m) => {
    if (m.body.kind !== 'close' || m.ownAck >= sent) return [];
    const missing = m.ownAck + 1 === sent ? `${sent}` : `${m.ownAck + 1}–${sent}`;
    return [
      {
        kind: ALERT_KINDS.truncation,
        detail: `${toHex(m.sender).slice(0, 8)} closed having received this participant's messages up to ${m.ownAck}; ${missing} never reached it`,
        suspects: [SUSPECTS.relay, SUSPECTS.participant(m.sender)],
        conversationId: state.conversationId,
        deviceId: m.sender,
      },
    ];
  });
}

/** Flushes every sender track and settles claims at `now`. */
export function tickState(
  state: ConversationState,
  now: number,
  force: boolean,
): { state: ConversationState; released: ReleasedMessage[]; alerts: SecurityAlert[] } {
  const released: ReleasedMessage[] = [];
  const alerts: SecurityAlert[] = [];
  const tracks: SenderTrack[] = state.tracks.map((track) => {
    const flushed = flushTrack(track, now, force, state.listedSince);
    released.push(...flushed.released);
    alerts.push(...alertsOf(flushed.notes, state.conversationId, track.senderId));
    return flushed.track;
  });
  const settled = settleClaims(state.claims, tracks, now, force);
  alerts.push(...alertsOf(settled.notes, state.conversationId), ...truncationAlerts(state, released));
  return { state: { ...state, tracks, claims: settled.claims }, released, alerts };
}

/** Call on a timer (e.g. every second while messages wait): declares overdue gaps and divergences. */
export function tick(state: ConversationState, env: ProtocolEnv): ConversationStep {
  const t = tickState(state, env.now(), false);
  return { ...t, outgoing: [], peerListBehind: [], listBehind: [] };
}

/** Every peer this participant has a session with (once each, in session order). */
function peersOf(state: ConversationState): DeviceId[] {
  const peers: DeviceId[] = [];
  for (const s of state.sessions) if (!peers.some((p) => idEquals(p, s.peerId))) peers.push(s.peerId);
  return peers;
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
          // The relay dropped the close, or no peer sent one (a visitor may simply have left).
          suspects: [SUSPECTS.relay, ...peersOf(state).map((p) => SUSPECTS.participant(p))],
          conversationId: state.conversationId,
        },
      ];
  return {
    state: { ...t.state, ended: true },
    released: t.released,
    alerts,
    outgoing: [],
    peerListBehind: [],
    listBehind: [],
  };
}
