/** Per-sender ordering (security brief F9): buffering, gaps, replays, forks, late arrivals, close. */
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../shared/errors/index.js';
import { asDeviceId, type DeviceId } from '../../../shared/wire/index.js';
import { checkAckOrder } from '../../../shared/protocol/conversation/conversation-acks.js';
import { ALERT_KINDS, ProtocolStateError } from '../../../shared/protocol/index.js';
import {
  ORDER_LIMITS,
  type OrderedFrame,
  type SenderTrack,
  ZERO_HASH,
  acceptFrame,
  flushTrack,
  newSenderTrack,
} from '../../../shared/protocol/conversation/conversation-order.js';

const hashOf = (seq: number, variant = 0): Uint8Array => new Uint8Array(32).fill(seq * 3 + variant);
function frame(seq: number, variant = 0, close = false): OrderedFrame {
  return {
    seq,
    hash: hashOf(seq, variant),
    prevHash: seq === 1 ? ZERO_HASH : hashOf(seq - 1),
    sentAt: 0,
    body: close ? { kind: 'close', reason: '' } : { kind: 'text', text: `m${seq}` },
    ownAck: 0,
    listVersion: 1,
    prevListVersion: seq === 1 ? 0 : 1,
  };
}

function feed(track: SenderTrack, frames: readonly OrderedFrame[], now = 0) {
  const released: number[] = [];
  const alerts: string[] = [];
  let t = track;
  for (const f of frames) {
    const r = acceptFrame(t, f, now, 0);
    t = r.track;
    released.push(...r.released.map((m) => m.seq));
    alerts.push(...r.notes.map((n) => n.kind));
  }
  return { track: t, released, alerts };
}

const sender = asDeviceId(new Uint8Array(16).fill(1));

describe('conversation order', () => {
  it('F9: releases in order, buffering out-of-order frames, with no alert', () => {
    const r = feed(newSenderTrack(sender), [frame(2), frame(3), frame(1)]);
    expect(r.released).toEqual([1, 2, 3]);
    expect(r.alerts).toEqual([]);
  });

  it('F9: a duplicate is a replay note and is not released again; a different frame with a used seq is a fork', () => {
    const r = feed(newSenderTrack(sender), [frame(1), frame(1), frame(3), frame(3), frame(3, 1), frame(1, 1)]);
    expect(r.released).toEqual([1]);
    expect(r.alerts).toEqual([ALERT_KINDS.replay, ALERT_KINDS.replay, ALERT_KINDS.fork, ALERT_KINDS.fork]);
  });

  it('F9: a broken hash chain is a fork (the frame is still authentic and shown)', () => {
    const bad = { ...frame(2), prevHash: hashOf(9) };
    const r = feed(newSenderTrack(sender), [frame(1), bad]);
    expect(r.released).toEqual([1, 2]);
    expect(r.alerts).toEqual([ALERT_KINDS.fork]);
  });

  it('F9: a gap is declared after the reorder window, and a frame arriving after that is released once, flagged late', () => {
    const r = feed(newSenderTrack(sender), [frame(1), frame(3)]);
    expect(r.released).toEqual([1]);
    const early = flushTrack(r.track, ORDER_LIMITS.reorderWindowMs - 1, false, 0);
    expect(early.released).toEqual([]);
    const due = flushTrack(r.track, ORDER_LIMITS.reorderWindowMs, false, 0);
    expect(due.released.map((m) => m.seq)).toEqual([3]);
    expect(due.notes.map((n) => n.kind)).toEqual([ALERT_KINDS.gap]);
    const late = acceptFrame(due.track, frame(2), ORDER_LIMITS.reorderWindowMs + 1, 0);
    expect(late.released.map((m) => [m.seq, m.late])).toEqual([[2, true]]);
    const again = acceptFrame(late.track, frame(2), ORDER_LIMITS.reorderWindowMs + 2, 0);
    expect(again.released).toEqual([]);
  });

  it('the buffer is bounded: one frame more than the cap declares the gap at once', () => {
    const frames = Array.from({ length: ORDER_LIMITS.maxBufferedPerSender + 1 }, (_, i) => frame(i + 2));
    const r = feed(newSenderTrack(sender), frames);
    expect(r.alerts).toEqual([ALERT_KINDS.gap]);
    expect(r.released).toHaveLength(ORDER_LIMITS.maxBufferedPerSender + 1);
    expect(r.track.buffer).toHaveLength(0);
  });

  it("nothing is accepted after the sender's close", () => {
    const r = feed(newSenderTrack(sender), [frame(1), frame(2, 0, true)]);
    expect(r.track.closedAt).toBe(2);
    expect(() => acceptFrame(r.track, frame(3), 0, 0)).toThrow(ProtocolStateError);
  });
});

describe('acknowledgement lists (PROTOCOL §7.7)', () => {
  const id = (n: number): DeviceId => asDeviceId(new Uint8Array(16).fill(n));
  const ack = (n: number) => ({ sender: id(n), seq: 1, hash: new Uint8Array(32), listVersion: 1 });

  it('#17 spec: acks are in strictly ascending sender order and never name the frame’s author; anything else is a DecodeError', () => {
    expect(() => {
      checkAckOrder(id(9), [ack(1), ack(2), ack(3)]);
    }).not.toThrow();
    expect(() => {
      checkAckOrder(id(9), []);
    }).not.toThrow();
    expect(() => {
      checkAckOrder(id(9), [ack(2), ack(1)]);
    }).toThrow(DecodeError);
    expect(() => {
      checkAckOrder(id(9), [ack(1), ack(1)]);
    }).toThrow(DecodeError);
    expect(() => {
      checkAckOrder(id(2), [ack(1), ack(2)]);
    }).toThrow(DecodeError);
  });
});
