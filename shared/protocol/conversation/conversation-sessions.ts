/**
 * Choosing and keeping the per-peer sessions of a conversation (docs/PROTOCOL.md §7.1).
 * Two devices may start sessions with each other at the same moment; both are kept (at most
 * CONVERSATION_LIMITS.maxSessionsPerPeer) for receiving, and both sides send on the one started
 * by the device with the lower id, so they converge without a round trip.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { type DeviceId, idEquals } from '../../wire/index.js';
import { CONVERSATION_LIMITS, type ConversationState } from './conversation-state.js';
import type { PeerSession } from '../session/index.js';

/** Bytewise (lexicographic) order of two ids. */
export function compareIds(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function sessionsWith(state: ConversationState, peer: DeviceId): PeerSession[] {
  return state.sessions.filter((s) => idEquals(s.peerId, peer));
}

export function findSession(state: ConversationState, peer: DeviceId, sessionId: Uint8Array): PeerSession | undefined {
  return state.sessions.find((s) => idEquals(s.peerId, peer) && constantTimeEqual(s.sessionId, sessionId));
}

/** The session to send on: the one started by the lower device id. */
export function sendingSession(state: ConversationState, peer: DeviceId): PeerSession | undefined {
  const candidates = sessionsWith(state, peer);
  if (candidates.length <= 1) return candidates[0];
  const lowerIsSelf = compareIds(state.selfId, peer) < 0;
  return candidates.find((s) => s.initiator === lowerIsSelf) ?? candidates[candidates.length - 1];
}

/** Replaces the session with the same (peer, session id) or appends it, keeping the newest per peer. */
export function upsertSession(sessions: readonly PeerSession[], session: PeerSession): PeerSession[] {
  const same = (s: PeerSession): boolean =>
    idEquals(s.peerId, session.peerId) && constantTimeEqual(s.sessionId, session.sessionId);
  if (sessions.some(same)) return sessions.map((s) => (same(s) ? session : s));
  const others = sessions.filter((s) => !idEquals(s.peerId, session.peerId));
  const mine = [...sessions.filter((s) => idEquals(s.peerId, session.peerId)), session].slice(
    -CONVERSATION_LIMITS.maxSessionsPerPeer,
  );
  return [...others, ...mine];
}
