/** Padding to buckets (security brief F17): exact buckets, strict decoding. */
import { describe, expect, it } from 'vitest';
import { DecodeError, LimitError, UsageError } from '../../../shared/errors/index.js';
import { asConversationId, asDeviceId, encode, MAX_U32 } from '../../../shared/wire/index.js';
import { MAX_SIGNED_DEVICE_LIST_BYTES } from '../../../shared/protocol/index.js';
import { frameCodec, MAX_ACKS } from '../../../shared/protocol/conversation/conversation-codec.js';
import {
  MAX_PADDED_BYTES,
  PADDING_BUCKETS,
  bucketFor,
  pad,
  unpad,
} from '../../../shared/protocol/conversation/padding.js';

describe('padding', () => {
  it('F17: pads to the smallest bucket that fits and round-trips', () => {
    for (const length of [0, 1, 252, 253, 1000, 1020, 1021, 40_000, MAX_PADDED_BYTES - 4]) {
      const content = new Uint8Array(length).fill(0xab);
      const padded = pad(content);
      expect(PADDING_BUCKETS).toContain(padded.length);
      expect(padded.length).toBe(bucketFor(length));
      const back = unpad(padded);
      expect(back.length === content.length && back.every((b, i) => b === content[i])).toBe(true);
    }
    expect(pad(new Uint8Array(252))).toHaveLength(256);
    expect(pad(new Uint8Array(253))).toHaveLength(1024);
  });

  it('a message past the largest bucket is a LimitError', () => {
    expect(() => pad(new Uint8Array(MAX_PADDED_BYTES - 3))).toThrow(LimitError);
  });

  it('F17: strict decoding — non-zero padding, wrong bucket, length past the end, too short', () => {
    const good = pad(new Uint8Array([1, 2, 3]));
    const nonZero = new Uint8Array(good);
    nonZero[200] = 1;
    expect(() => unpad(nonZero)).toThrow(DecodeError);
    const bigger = new Uint8Array(1024);
    bigger.set(good);
    expect(() => unpad(bigger)).toThrow(DecodeError); // content of 3 bytes belongs in the 256 bucket
    const pastEnd = new Uint8Array(good);
    new DataView(pastEnd.buffer).setUint32(0, 253);
    expect(() => unpad(pastEnd)).toThrow(DecodeError);
    expect(() => unpad(new Uint8Array(3))).toThrow(DecodeError);
    expect(() => unpad(good.subarray(0, 255))).toThrow(DecodeError);
  });
});

describe('the largest frame', () => {
  it('#17.4: a deviceList message with two signed lists at the codec’s cap and a full ack list fits the largest bucket; a longer list cannot be written', () => {
    const ack = (i: number) => ({
      sender: asDeviceId(new Uint8Array(16).fill(i)),
      seq: MAX_U32,
      hash: new Uint8Array(32),
      listVersion: MAX_U32,
    });
    const frame = {
      conversationId: asConversationId(new Uint8Array(16)),
      senderId: asDeviceId(new Uint8Array(16).fill(0xff)),
      seq: MAX_U32,
      prevHash: new Uint8Array(32),
      sentAt: Number.MAX_SAFE_INTEGER,
      deviceListVersion: MAX_U32,
      deviceListHash: new Uint8Array(32),
      prevListVersion: MAX_U32,
      acks: Array.from({ length: MAX_ACKS }, (_, i) => ack(i)),
      body: {
        kind: 'deviceList' as const,
        lists: [new Uint8Array(MAX_SIGNED_DEVICE_LIST_BYTES), new Uint8Array(MAX_SIGNED_DEVICE_LIST_BYTES)],
      },
    };
    const padded = pad(encode(frameCodec, frame));
    expect(padded.length).toBe(MAX_PADDED_BYTES);
    const tooLong = {
      ...frame,
      body: { kind: 'deviceList' as const, lists: [new Uint8Array(MAX_SIGNED_DEVICE_LIST_BYTES + 1)] },
    };
    expect(() => encode(frameCodec, tooLong)).toThrow(UsageError);
  });
});
