/**
 * Reads a relay `deliver` frame (docs/PROTOCOL.md §16.3.4 carrying an envelope of §2.6) by its
 * fixed offsets: frame version, type, cursor, envelope length, envelope version/suite, recipient
 * tag, body length. Every length must add up exactly; anything else returns undefined and the
 * caller falls back to the strict decoder of shared/wire.
 */
import { FRAME_VERSION, RECIPIENT_TAGS, RELAY_FRAME_TYPES, SUITE_V1, WIRE_VERSION } from '../../shared/wire/index.js';

const ENVELOPE_AT = 2 + 8 + 4;
const TAG_AT = ENVELOPE_AT + 2 + 16;

export function deliverFastPath(frame: Uint8Array): { cursor: number; body: Uint8Array } | undefined {
  if (frame.length < TAG_AT + 1 + 4 || frame[0] !== FRAME_VERSION || frame[1] !== RELAY_FRAME_TYPES.deliver)
    return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const cursor = Number(view.getBigUint64(2));
  if (view.getUint32(10) !== frame.length - ENVELOPE_AT) return undefined;
  if (frame[ENVELOPE_AT] !== WIRE_VERSION || frame[ENVELOPE_AT + 1] !== SUITE_V1) return undefined;
  const tag = frame[TAG_AT];
  const lengthAt = tag === RECIPIENT_TAGS.device ? TAG_AT + 1 + 16 : tag === RECIPIENT_TAGS.visitor ? TAG_AT + 1 : -1;
  if (lengthAt < 0 || frame.length < lengthAt + 4) return undefined;
  const bodyLength = view.getUint32(lengthAt);
  if (bodyLength === 0 || lengthAt + 4 + bodyLength !== frame.length) return undefined;
  return { cursor, body: frame.subarray(lengthAt + 4) };
}
