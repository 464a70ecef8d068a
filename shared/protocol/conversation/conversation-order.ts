/**
 * Per-sender ordering and completeness (security brief F9; docs/PROTOCOL.md §7.6). Frames from
 * one sender carry seq = 1, 2, 3 … and the hash of the sender's previous frame. This module is
 * pure and synchronous: it buffers out-of-order frames (bounded), releases them in sender order
 * exactly once, and reports
 * - gap:    a later frame waited longer than the reorder window (or the buffer filled) and the
 *           missing ones are declared lost (reordering inside the window raises nothing);
 *           but a track that has released nothing starts at a frame whose `prevListVersion` is
 *           below the receiver's first list (L_D): the frames before it were never sent here;
 * - fork:   the hash chain does not link (by hash or by the previous frame's list version), or
 *           one seq arrives with two different contents;
 * - replay: the same frame again (dropped, not shown twice).
 */
import { constantTimeEqual, toHex } from '../../crypto/index.js';
import type { DeviceId } from '../../wire/index.js';
import { ALERT_KINDS, type AlertKind, type AlertSuspect, SUSPECTS } from '../core/index.js';
import { FrameAfterCloseError } from './conversation-errors.js';
import type { MessageBody } from './message-kinds.js';

export const ORDER_LIMITS = {
  /** Frames held per sender while an earlier one is missing; one more declares the gap at once. */
  maxBufferedPerSender: 64,
  /** How long a later frame waits for a missing earlier one before the gap is declared. */
  reorderWindowMs: 5000,
  /** Hashes of released frames remembered per sender (duplicate / fork detection, ack checks). */
  recentHashes: 64,
} as const;

export interface OrderedFrame {
  readonly seq: number;
  readonly hash: Uint8Array;
  readonly prevHash: Uint8Array;
  readonly sentAt: number;
  readonly body: MessageBody;
  /** The frame's ack of the receiver's own messages: the last seq of ours its author had (0: none). */
  readonly ownAck: number;
  /** The device list version the frame names (PROTOCOL §7.2). */
  readonly listVersion: number;
  /** The list version the sender's previous frame named (0 for seq 1, PROTOCOL §7.2). */
  readonly prevListVersion: number;
}

export interface ReleasedMessage extends OrderedFrame {
  readonly sender: DeviceId;
  /** True for a frame that arrived after its gap had been declared: shown apart, not in order. */
  readonly late: boolean;
}

export interface SenderTrack {
  readonly senderId: DeviceId;
  /** Next seq to release. */
  readonly nextSeq: number;
  /** Hash of the last released frame (32 zero bytes before the first). */
  readonly lastHash: Uint8Array;
  /** List version the last released frame named (0 before the first: what seq 1's prevListVersion says). */
  readonly lastListVersion: number;
  /**
   * The first seq of this sender meant for this receiver (PROTOCOL §7.6): 1, or the seq of the frame
   * whose `prevListVersion` was below the receiver's first list; the seqs before it were never sent here.
   */
  readonly firstSeq: number;
  /** False right after a declared gap: the next frame's prevHash cannot be checked. */
  readonly chainKnown: boolean;
  /** Out-of-order frames, ascending seq. */
  readonly buffer: readonly (OrderedFrame & { readonly receivedAt: number })[];
  /** When the oldest buffered frame started waiting (null when the buffer is empty). */
  readonly waitingSince: number | null;
  readonly recent: readonly { readonly seq: number; readonly hash: Uint8Array }[];
  /** Ranges declared lost, newest last (bounded): a frame inside one is "late". */
  readonly lostRanges: readonly { readonly from: number; readonly to: number }[];
  /** Seq of this sender's authenticated close, once released. */
  readonly closedAt: number | null;
}

export interface OrderNote {
  readonly kind: AlertKind;
  readonly detail: string;
  /** PROTOCOL §7.8: who could have caused it. */
  readonly suspects: readonly AlertSuspect[];
}

export interface OrderResult {
  readonly track: SenderTrack;
  readonly released: readonly ReleasedMessage[];
  readonly notes: readonly OrderNote[];
}

export const ZERO_HASH = new Uint8Array(32);

export function newSenderTrack(senderId: DeviceId): SenderTrack {
  return {
    senderId,
    nextSeq: 1,
    lastHash: ZERO_HASH,
    lastListVersion: 0,
    firstSeq: 1,
    chainKnown: true,
    buffer: [],
    waitingSince: null,
    recent: [],
    lostRanges: [],
    closedAt: null,
  };
}

function who(track: SenderTrack): string {
  return toHex(track.senderId).slice(0, 8);
}

/**
 * Frames are authenticated by their sender: two different frames with one seq, a broken hash chain,
 * or a released frame that came back inside a NEW ratchet message can only be the sender's doing
 * (the relay replays whole packets, which the ratchet refuses before this layer).
 */
function senderOnly(track: SenderTrack): AlertSuspect[] {
  return [SUSPECTS.participant(track.senderId)];
}

/** A missing seq: the relay dropped it, or the sender skipped it. */
function relayOrSender(track: SenderTrack): AlertSuspect[] {
  return [SUSPECTS.relay, SUSPECTS.participant(track.senderId)];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * PROTOCOL §7.6: a sender whose frames this receiver has never had starts at a frame whose previous
 * frame named a list older than the receiver's first (`listedSince`): lists only move forward (§4.4),
 * so that previous frame and every one before it went to lists that did not name this receiver.
 * Both values are inside the authenticated frame: the relay cannot make one up.
 */
function startsLate(t: Mutable<SenderTrack>, listedSince: number): void {
  const head = t.buffer[0];
  if (head === undefined || head.seq <= t.nextSeq || t.nextSeq !== 1 || t.lostRanges.length > 0) return;
  if (head.prevListVersion >= listedSince) return;
  t.firstSeq = head.seq;
  t.nextSeq = head.seq;
  // Its previous frame was never here: its prevHash and prevListVersion cannot be checked.
  t.chainKnown = false;
}

function releaseInOrder(
  t: Mutable<SenderTrack>,
  released: ReleasedMessage[],
  notes: OrderNote[],
  listedSince: number,
): void {
  startsLate(t, listedSince);
  for (;;) {
    const head = t.buffer[0];
    if (head?.seq !== t.nextSeq) break;
    t.buffer = t.buffer.slice(1);
    if (t.chainKnown && !constantTimeEqual(head.prevHash, t.lastHash)) {
      notes.push({
        kind: ALERT_KINDS.fork,
        detail: `message ${head.seq} from ${who(t)} does not link to the previous one (hash chain broken)`,
        suspects: senderOnly(t),
      });
    } else if (t.chainKnown && head.prevListVersion !== t.lastListVersion) {
      // PROTOCOL §7.6: a sender that understates it (to hide its earlier frames from a device
      // linked later) is caught by every receiver of the previous frame.
      notes.push({
        kind: ALERT_KINDS.fork,
        detail: `message ${head.seq} from ${who(t)} says its previous one named list ${head.prevListVersion}, but it named ${t.lastListVersion}`,
        suspects: senderOnly(t),
      });
    }
    released.push({ ...head, sender: t.senderId, late: false });
    t.nextSeq = head.seq + 1;
    t.lastHash = head.hash;
    t.lastListVersion = head.listVersion;
    t.chainKnown = true;
    t.recent = [...t.recent, { seq: head.seq, hash: head.hash }].slice(-ORDER_LIMITS.recentHashes);
    if (head.body.kind === 'close') t.closedAt = head.seq;
  }
  t.waitingSince = t.buffer.length === 0 ? null : (t.waitingSince ?? t.buffer[0]?.receivedAt ?? null);
}

function declareGap(t: Mutable<SenderTrack>, notes: OrderNote[]): void {
  const first = t.buffer[0];
  if (first === undefined || first.seq <= t.nextSeq) return;
  const to = first.seq - 1;
  const span = to === t.nextSeq ? `message ${to}` : `messages ${t.nextSeq}–${to}`;
  notes.push({
    kind: ALERT_KINDS.gap,
    detail: `${span} from ${who(t)} never arrived (dropped)`,
    suspects: relayOrSender(t),
  });
  t.lostRanges = [...t.lostRanges, { from: t.nextSeq, to }].slice(-ORDER_LIMITS.recentHashes);
  t.nextSeq = first.seq;
  t.chainKnown = false;
  t.waitingSince = null;
}

/**
 * Declares the gaps whose wait is over (or all of them when `force`), releasing what follows.
 * Called on every receive and by the conversation's tick/end transitions.
 */
export function flushTrack(track: SenderTrack, now: number, force: boolean, listedSince: number): OrderResult {
  const t: Mutable<SenderTrack> = { ...track };
  const released: ReleasedMessage[] = [];
  const notes: OrderNote[] = [];
  while (t.buffer.length > 0) {
    const waited = t.waitingSince !== null && now - t.waitingSince >= ORDER_LIMITS.reorderWindowMs;
    if (!force && !waited && t.buffer.length <= ORDER_LIMITS.maxBufferedPerSender) break;
    declareGap(t, notes);
    releaseInOrder(t, released, notes, listedSince);
  }
  return { track: t, released, notes };
}

/**
 * Adds one authenticated frame. ProtocolStateError for a frame after the sender's close.
 * `listedSince`: the receiver's first list version (ConversationState.listedSince, PROTOCOL §7.6).
 */
export function acceptFrame(track: SenderTrack, frame: OrderedFrame, now: number, listedSince: number): OrderResult {
  if (track.closedAt !== null && frame.seq > track.closedAt) {
    throw new FrameAfterCloseError(`message ${frame.seq} from ${who(track)} follows its close`);
  }
  const notes: OrderNote[] = [];
  if (frame.seq < track.nextSeq) {
    const seen = track.recent.find((r) => r.seq === frame.seq);
    if (seen !== undefined && constantTimeEqual(seen.hash, frame.hash)) {
      return {
        track,
        released: [],
        notes: [
          {
            kind: ALERT_KINDS.replay,
            detail: `message ${frame.seq} from ${who(track)} was delivered again (ignored)`,
            suspects: senderOnly(track),
          },
        ],
      };
    }
    if (seen !== undefined) {
      return {
        track,
        released: [],
        notes: [
          {
            kind: ALERT_KINDS.fork,
            detail: `two different messages ${frame.seq} from ${who(track)}`,
            suspects: senderOnly(track),
          },
        ],
      };
    }
    if (track.lostRanges.some((r) => frame.seq >= r.from && frame.seq <= r.to)) {
      // Authentic but too late for its place in the order: shown apart, flagged late.
      const lostRanges = track.lostRanges.flatMap((r) =>
        frame.seq < r.from || frame.seq > r.to
          ? [r]
          : [
              { from: r.from, to: frame.seq - 1 },
              { from: frame.seq + 1, to: r.to },
            ].filter((x) => x.from <= x.to),
      );
      return {
        track: { ...track, lostRanges },
        released: [{ ...frame, sender: track.senderId, late: true }],
        notes: [],
      };
    }
    return {
      track,
      released: [],
      notes: [
        {
          kind: ALERT_KINDS.replay,
          detail: `old message ${frame.seq} from ${who(track)} arrived again (ignored)`,
          suspects: senderOnly(track),
        },
      ],
    };
  }
  const buffered = track.buffer.find((b) => b.seq === frame.seq);
  if (buffered !== undefined) {
    const kind = constantTimeEqual(buffered.hash, frame.hash) ? ALERT_KINDS.replay : ALERT_KINDS.fork;
    return {
      track,
      released: [],
      notes: [{ kind, detail: `message ${frame.seq} from ${who(track)} arrived twice`, suspects: senderOnly(track) }],
    };
  }
  const t: Mutable<SenderTrack> = {
    ...track,
    buffer: [...track.buffer, { ...frame, receivedAt: now }].sort((a, b) => a.seq - b.seq),
  };
  const released: ReleasedMessage[] = [];
  releaseInOrder(t, released, notes, listedSince);
  const flushed = flushTrack(t, now, false, listedSince);
  return { track: flushed.track, released: [...released, ...flushed.released], notes: [...notes, ...flushed.notes] };
}
