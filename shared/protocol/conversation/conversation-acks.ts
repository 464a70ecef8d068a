/**
 * Acknowledgements and cross-device checks (security brief F9, §3 "devices of one account
 * cross-check what they received"; docs/PROTOCOL.md §7.7). Every frame carries, for each other
 * sender the author released frames from, the last seq released in order and its hash, sorted by
 * sender id (never the author itself). A receiver compares them with its own view:
 * - an ack of one of ITS OWN messages with another hash, or of a seq it never sent → invalid-ack,
 *   naming the acking peer alone (acks are authenticated by their author: the relay cannot forge one);
 * - acks from a peer that is not a listed device (the visitor) are no evidence about third parties
 *   and are not used (issue #9 item 6: a visitor cannot make devices blame the relay or each other);
 * - a listed device's ack of a third sender's message with another hash → device divergence
 *   (the reporting device or the original sender lied);
 * - a listed device's ack of a third sender's message this device has not got (or declared lost):
 *   once the reorder window is over → device divergence (the relay delivered to only some devices,
 *   the sender fanned out to only some, or the reporting device lied);
 * - but an ack of a message on a list older than this device's first (`listedSince`, L_D) claims
 *   nothing this device should have (the message was never sent to it): no claim, no divergence;
 *   and an ack of a message on a list naming this device, before the seq the sender's own frame
 *   said this device's share began (`firstSeq`), is a device divergence: one of the two lied.
 */
import { constantTimeEqual, toHex } from '../../crypto/index.js';
import { DecodeError } from '../../errors/index.js';
import { type DeviceId, idEquals } from '../../wire/index.js';
import { ALERT_KINDS, type AlertSuspect, SUSPECTS } from '../core/index.js';
import type { AckEntry } from './conversation-codec.js';
import { ORDER_LIMITS, type OrderNote, type SenderTrack } from './conversation-order.js';
import { compareIds } from './conversation-sessions.js';
import { type AckClaim, CONVERSATION_LIMITS, type ConversationState } from './conversation-state.js';

function short(id: Uint8Array): string {
  return toHex(id).slice(0, 8);
}

/** The acks this participant puts in its next frame: one per sender it released from, by sender id (PROTOCOL §7.7). */
export function acksToSend(state: ConversationState): AckEntry[] {
  return state.tracks
    .filter((t) => t.nextSeq > 1 && !idEquals(t.senderId, state.selfId))
    .map((t) => ({ sender: t.senderId, seq: t.nextSeq - 1, hash: t.lastHash, listVersion: t.lastListVersion }))
    .sort((a, b) => compareIds(a.sender, b.sender));
}

/** PROTOCOL §7.7: acks strictly ascending by sender id (so at most one per sender), never the frame's author. */
export function checkAckOrder(author: DeviceId, acks: readonly AckEntry[]): void {
  acks.forEach((ack, i) => {
    if (idEquals(ack.sender, author)) throw new DecodeError('a frame acknowledges its own author');
    const previous = acks[i - 1];
    if (previous !== undefined && compareIds(previous.sender, ack.sender) >= 0)
      throw new DecodeError('frame acks are not in strictly ascending sender order');
  });
}

/**
 * A report by `by` about `sender`'s message: either may be lying; a message that is MISSING here
 * may also have been withheld by the relay (a different hash it cannot make: frames are authenticated).
 */
function divergenceSuspects(by: DeviceId, sender: DeviceId, missing: boolean): AlertSuspect[] {
  const people = [SUSPECTS.participant(by), SUSPECTS.participant(sender)];
  return missing ? [SUSPECTS.relay, ...people] : people;
}

function trackOf(tracks: readonly SenderTrack[], id: DeviceId): SenderTrack | undefined {
  return tracks.find((t) => idEquals(t.senderId, id));
}

/**
 * PROTOCOL §7.7: `by` acknowledges message `seq` of `sender` on a list naming this device, but
 * `sender`'s frame `firstSeq` said its previous frame went to an older list. Both are authenticated
 * statements: the relay made neither, one of the two devices lied.
 */
function beforeFirstSeq(by: DeviceId, sender: DeviceId, seq: number, firstSeq: number): OrderNote {
  return {
    kind: ALERT_KINDS.deviceDivergence,
    detail: `device ${short(by)} received message ${seq} from ${short(sender)} on a list naming this device, but ${short(sender)}'s message ${firstSeq} said none before it was for this device`,
    suspects: divergenceSuspects(by, sender, false),
  };
}

/** An ack of this participant's own message that cannot be true: invalid-ack, naming the acking peer. */
function checkOwnAck(state: ConversationState, by: DeviceId, ack: AckEntry): OrderNote | undefined {
  const suspects = [SUSPECTS.participant(by)];
  if (ack.seq < 1 || ack.seq >= state.nextSendSeq) {
    return {
      kind: ALERT_KINDS.invalidAck,
      detail: `${short(by)} acknowledges message ${ack.seq} this participant never sent`,
      suspects,
    };
  }
  const sent = state.sentHashes.find((s) => s.seq === ack.seq);
  if (sent !== undefined && !constantTimeEqual(sent.hash, ack.hash)) {
    return {
      kind: ALERT_KINDS.invalidAck,
      detail: `${short(by)} acknowledges a message ${ack.seq} this participant did not send (another hash)`,
      suspects,
    };
  }
  return undefined;
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
  // Issue #9 item 6: only listed devices' acks are evidence about third parties.
  const witness = state.deviceList.devices.some((d) => idEquals(d.deviceId, by));
  for (const ack of acks) {
    if (idEquals(ack.sender, by)) continue;
    if (idEquals(ack.sender, state.selfId)) {
      const note = checkOwnAck(state, by, ack);
      if (note !== undefined) notes.push(note);
      continue;
    }
    if (!witness) continue;
    const track = trackOf(tracks, ack.sender);
    const mine = track?.recent.find((r) => r.seq === ack.seq);
    if (mine !== undefined) {
      if (!constantTimeEqual(mine.hash, ack.hash)) {
        notes.push({
          kind: ALERT_KINDS.deviceDivergence,
          detail: `device ${short(by)} and this device saw different messages ${ack.seq} from ${short(ack.sender)}`,
          suspects: divergenceSuspects(by, ack.sender, false),
        });
      }
      continue;
    }
    if (track !== undefined && ack.seq < track.firstSeq) {
      if (ack.listVersion >= state.listedSince) notes.push(beforeFirstSeq(by, ack.sender, ack.seq, track.firstSeq));
      continue;
    }
    // PROTOCOL §7.7: a message on a list that did not name this device was never sent to it.
    if (ack.listVersion < state.listedSince) continue;
    if (track?.lostRanges.some((r) => ack.seq >= r.from && ack.seq <= r.to) === true) {
      notes.push({
        kind: ALERT_KINDS.deviceDivergence,
        detail: `device ${short(by)} received message ${ack.seq} from ${short(ack.sender)}, which never reached this device`,
        suspects: divergenceSuspects(by, ack.sender, true),
      });
      continue;
    }
    if (track === undefined || ack.seq >= track.nextSeq) {
      claims = claims.filter((c) => !(idEquals(c.by, by) && idEquals(c.sender, ack.sender) && c.seq <= ack.seq));
      if (!claims.some((c) => idEquals(c.by, by) && idEquals(c.sender, ack.sender))) {
        claims.push({ by, sender: ack.sender, seq: ack.seq, hash: ack.hash, listVersion: ack.listVersion, at: now });
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
    if (track !== undefined && claim.seq < track.firstSeq) {
      // A claim holds only messages on lists naming this device (checkAcks).
      notes.push(beforeFirstSeq(claim.by, claim.sender, claim.seq, track.firstSeq));
      continue;
    }
    if (track !== undefined && track.nextSeq > claim.seq) {
      const mine = track.recent.find((r) => r.seq === claim.seq);
      if (mine !== undefined && !constantTimeEqual(mine.hash, claim.hash)) {
        notes.push({
          kind: ALERT_KINDS.deviceDivergence,
          detail: `device ${short(claim.by)} and this device saw different messages ${claim.seq} from ${short(claim.sender)}`,
          suspects: divergenceSuspects(claim.by, claim.sender, false),
        });
      } else if (mine === undefined && track.lostRanges.some((r) => claim.seq >= r.from && claim.seq <= r.to)) {
        notes.push({
          kind: ALERT_KINDS.deviceDivergence,
          detail: `device ${short(claim.by)} received message ${claim.seq} from ${short(claim.sender)}, which never reached this device`,
          suspects: divergenceSuspects(claim.by, claim.sender, true),
        });
      }
      continue;
    }
    if (force || now - claim.at >= ORDER_LIMITS.reorderWindowMs) {
      notes.push({
        kind: ALERT_KINDS.deviceDivergence,
        detail: `device ${short(claim.by)} received message ${claim.seq} from ${short(claim.sender)}, which has not reached this device`,
        suspects: divergenceSuspects(claim.by, claim.sender, true),
      });
      continue;
    }
    kept.push(claim);
  }
  return { claims: kept, notes };
}
