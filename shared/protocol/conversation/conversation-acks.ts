/**
 * Acknowledgements and cross-device checks (security brief F9, §3 "devices of one account
 * cross-check what they received"; docs/PROTOCOL.md §7.7). Every frame carries, for each other
 * sender, the last seq released in order and its hash. A receiver compares them with its own view:
 * - an ack of one of ITS OWN messages with another hash, or of a seq it never sent → fork;
 * - an ack of a third sender's message with another hash → device divergence;
 * - an ack of a third sender's message this device has not got: a claim; if the message has not
 *   arrived within the reorder window → device divergence (the relay delivered to only some devices).
 */
import { constantTimeEqual, toHex } from '../../crypto/index.js';
import { type DeviceId, idEquals } from '../../wire/index.js';
import { ALERT_KINDS } from '../core/index.js';
import type { AckEntry } from './conversation-codec.js';
import { ORDER_LIMITS, type OrderNote, type SenderTrack } from './conversation-order.js';
import { type AckClaim, CONVERSATION_LIMITS, type ConversationState } from './conversation-state.js';

function short(id: Uint8Array): string {
  return toHex(id).slice(0, 8);
}

/** The acks this participant puts in its next frame. */
export function acksToSend(state: ConversationState): AckEntry[] {
  return state.tracks
    .filter((t) => t.nextSeq > 1)
    .map((t) => ({ sender: t.senderId, seq: t.nextSeq - 1, hash: t.lastHash }));
}

function trackOf(tracks: readonly SenderTrack[], id: DeviceId): SenderTrack | undefined {
  return tracks.find((t) => idEquals(t.senderId, id));
}

/** Checks the acks of one authenticated frame from `by`; returns the new claims and notes. */
export function checkAcks(
  state: ConversationState,
  tracks: readonly SenderTrack[],
  by: DeviceId,
  acks: readonly AckEntry[],
  now: number,
): { claims: AckClaim[]; notes: OrderNote[] } {
  const notes: OrderNote[] = [];
  let claims = [...state.claims];
  for (const ack of acks) {
    if (idEquals(ack.sender, by)) continue;
    if (idEquals(ack.sender, state.selfId)) {
      const sent = state.sentHashes.find((s) => s.seq === ack.seq);
      if (ack.seq >= state.nextSendSeq) {
        notes.push({
          kind: ALERT_KINDS.fork,
          detail: `device ${short(by)} acknowledges message ${ack.seq} this device never sent`,
        });
      } else if (sent !== undefined && !constantTimeEqual(sent.hash, ack.hash)) {
        notes.push({
          kind: ALERT_KINDS.fork,
          detail: `device ${short(by)} saw a different message ${ack.seq} from this device`,
        });
      }
      continue;
    }
    const track = trackOf(tracks, ack.sender);
    const mine = track?.recent.find((r) => r.seq === ack.seq);
    if (mine !== undefined) {
      if (!constantTimeEqual(mine.hash, ack.hash)) {
        notes.push({
          kind: ALERT_KINDS.deviceDivergence,
          detail: `device ${short(by)} and this device saw different messages ${ack.seq} from ${short(ack.sender)}`,
        });
      }
      continue;
    }
    if (track?.lostRanges.some((r) => ack.seq >= r.from && ack.seq <= r.to) === true) {
      notes.push({
        kind: ALERT_KINDS.deviceDivergence,
        detail: `device ${short(by)} received message ${ack.seq} from ${short(ack.sender)}, which never reached this device`,
      });
      continue;
    }
    if (track === undefined || ack.seq >= track.nextSeq) {
      claims = claims.filter((c) => !(idEquals(c.by, by) && idEquals(c.sender, ack.sender) && c.seq <= ack.seq));
      if (!claims.some((c) => idEquals(c.by, by) && idEquals(c.sender, ack.sender))) {
        claims.push({ by, sender: ack.sender, seq: ack.seq, hash: ack.hash, at: now });
      }
    }
  }
  return { claims: claims.slice(-CONVERSATION_LIMITS.maxClaims), notes };
}

/** Resolves claims against what has arrived; unmet ones past the reorder window become alerts. */
export function settleClaims(
  claims: readonly AckClaim[],
  tracks: readonly SenderTrack[],
  now: number,
  force: boolean,
): { claims: AckClaim[]; notes: OrderNote[] } {
  const notes: OrderNote[] = [];
  const kept: AckClaim[] = [];
  for (const claim of claims) {
    const track = trackOf(tracks, claim.sender);
    if (track !== undefined && track.nextSeq > claim.seq) {
      const mine = track.recent.find((r) => r.seq === claim.seq);
      if (mine !== undefined && !constantTimeEqual(mine.hash, claim.hash)) {
        notes.push({
          kind: ALERT_KINDS.deviceDivergence,
          detail: `device ${short(claim.by)} and this device saw different messages ${claim.seq} from ${short(claim.sender)}`,
        });
      } else if (mine === undefined && track.lostRanges.some((r) => claim.seq >= r.from && claim.seq <= r.to)) {
        notes.push({
          kind: ALERT_KINDS.deviceDivergence,
          detail: `device ${short(claim.by)} received message ${claim.seq} from ${short(claim.sender)}, which never reached this device`,
        });
      }
      continue;
    }
    if (force || now - claim.at >= ORDER_LIMITS.reorderWindowMs) {
      notes.push({
        kind: ALERT_KINDS.deviceDivergence,
        detail: `device ${short(claim.by)} received message ${claim.seq} from ${short(claim.sender)}, which has not reached this device`,
      });
      continue;
    }
    kept.push(claim);
  }
  return { claims: kept, notes };
}
