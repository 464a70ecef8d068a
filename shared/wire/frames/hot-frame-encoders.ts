/**
 * Exact-size encoders for the two relay frames sent once per message (docs/PROTOCOL.md §16.3.3
 * `stored`, §16.3.4 `deliver`). They write the same bytes as `encodeRelayFrame` (test/cases/wire/
 * frames.cases.ts checks this over random inputs) in one allocation, without the Writer's growth copies.
 * Inputs the fast path does not cover go through `encodeRelayFrame`, which throws the UsageError.
 *
 * `headroom`: that many zero bytes come first, free for the caller. The relay writes the WebSocket
 * frame header (at most 14 bytes, RFC 6455 §5.2) there, so header and frame go out as one buffer.
 * The frame itself starts at `out[headroom]` and is byte for byte what headroom 0 gives.
 */
import { MAX_U32, MAX_U64, TWO_POW_32, checkLength, isUint } from '../integers.js';
import { LIMITS } from '../limits.js';
import { FRAME_VERSION } from './frame-header.js';
import { RELAY_FRAME_TYPES, encodeRelayFrame } from './relay-frames.js';

/** Frame header (2) + u32 requestId + u64 cursor. */
const STORED_BYTES = 14;
/** Frame header (2) + u64 cursor + u32 envelope length, before the envelope. */
const DELIVER_PREFIX_BYTES = 14;
/** Largest headroom accepted: room for any WebSocket header, with margin. */
export const MAX_FRAME_HEADROOM_BYTES = 64;

/** PROTOCOL §2: big-endian u64 in 0..2^53-1, as two u32 halves. */
function putU64(out: Uint8Array, offset: number, v: number): void {
  putU32(out, offset, Math.floor(v / TWO_POW_32));
  putU32(out, offset + 4, v % TWO_POW_32);
}

function putU32(out: Uint8Array, offset: number, v: number): void {
  out[offset] = v >>> 24;
  out[offset + 1] = (v >>> 16) & 0xff;
  out[offset + 2] = (v >>> 8) & 0xff;
  out[offset + 3] = v & 0xff;
}

/** `encodeRelayFrame({ type: 'stored', requestId, cursor })` after `headroom` zero bytes, in one allocation. */
export function encodeStoredFrame(requestId: number, cursor: number, headroom = 0): Uint8Array {
  checkLength(headroom, MAX_FRAME_HEADROOM_BYTES, 'headroom');
  if (!isUint(requestId, MAX_U32) || !isUint(cursor, MAX_U64))
    return withHeadroom(encodeRelayFrame({ type: 'stored', requestId, cursor }), headroom);
  const out = new Uint8Array(headroom + STORED_BYTES);
  out[headroom] = FRAME_VERSION;
  out[headroom + 1] = RELAY_FRAME_TYPES.stored;
  putU32(out, headroom + 2, requestId);
  putU64(out, headroom + 6, cursor);
  return out;
}

/** `encodeRelayFrame({ type: 'deliver', cursor, envelope })` after `headroom` zero bytes, in one allocation and one copy. */
export function encodeDeliverFrame(cursor: number, envelope: Uint8Array, headroom = 0): Uint8Array {
  checkLength(headroom, MAX_FRAME_HEADROOM_BYTES, 'headroom');
  // §14: the envelope cap is enforced here exactly as the generic encoder enforces it.
  if (!isUint(cursor, MAX_U64) || !(envelope instanceof Uint8Array) || envelope.length > LIMITS.maxEnvelopeBytes) {
    return withHeadroom(encodeRelayFrame({ type: 'deliver', cursor, envelope }), headroom);
  }
  const out = new Uint8Array(headroom + DELIVER_PREFIX_BYTES + envelope.length);
  out[headroom] = FRAME_VERSION;
  out[headroom + 1] = RELAY_FRAME_TYPES.deliver;
  putU64(out, headroom + 2, cursor);
  putU32(out, headroom + 10, envelope.length);
  out.set(envelope, headroom + DELIVER_PREFIX_BYTES);
  return out;
}

/**
 * The generic encoder's frame behind `headroom` zero bytes. The fallback inputs are all ones the
 * generic encoder refuses (it throws first), so this copies only if the two ever disagree.
 */
function withHeadroom(frame: Uint8Array, headroom: number): Uint8Array {
  if (headroom === 0) return frame;
  const out = new Uint8Array(headroom + frame.length);
  out.set(frame, headroom);
  return out;
}
