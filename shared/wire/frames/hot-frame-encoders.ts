/**
 * Exact-size encoders for the two relay frames sent once per message (docs/PROTOCOL.md §16.3.3
 * `stored`, §16.3.4 `deliver`). They write the same bytes as `encodeRelayFrame` (the relay tests
 * check this over random inputs) in one allocation, without the generic Writer's growth copies.
 * Inputs the fast path does not cover go through `encodeRelayFrame`, which throws the UsageError.
 */
import { MAX_U32, MAX_U64, isUint } from '../integers.js';
import { LIMITS } from '../limits.js';
import { FRAME_VERSION } from './frame-header.js';
import { RELAY_FRAME_TYPES, encodeRelayFrame } from './relay-frames.js';

const TWO_POW_32 = 0x1_0000_0000;
/** Frame header (2) + u32 requestId + u64 cursor. */
const STORED_BYTES = 14;
/** Frame header (2) + u64 cursor + u32 envelope length, before the envelope. */
const DELIVER_PREFIX_BYTES = 14;

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

/** `encodeRelayFrame({ type: 'stored', requestId, cursor })`, in one allocation. */
export function encodeStoredFrame(requestId: number, cursor: number): Uint8Array {
  if (!isUint(requestId, MAX_U32) || !isUint(cursor, MAX_U64)) return encodeRelayFrame({ type: 'stored', requestId, cursor });
  const out = new Uint8Array(STORED_BYTES);
  out[0] = FRAME_VERSION;
  out[1] = RELAY_FRAME_TYPES.stored;
  putU32(out, 2, requestId);
  putU64(out, 6, cursor);
  return out;
}

/** `encodeRelayFrame({ type: 'deliver', cursor, envelope })`, in one allocation and one copy. */
export function encodeDeliverFrame(cursor: number, envelope: Uint8Array): Uint8Array {
  // §14: the envelope cap is enforced here exactly as the generic encoder enforces it.
  if (!isUint(cursor, MAX_U64) || !(envelope instanceof Uint8Array) || envelope.length > LIMITS.maxEnvelopeBytes) {
    return encodeRelayFrame({ type: 'deliver', cursor, envelope });
  }
  const out = new Uint8Array(DELIVER_PREFIX_BYTES + envelope.length);
  out[0] = FRAME_VERSION;
  out[1] = RELAY_FRAME_TYPES.deliver;
  putU64(out, 2, cursor);
  putU32(out, 10, envelope.length);
  out.set(envelope, DELIVER_PREFIX_BYTES);
  return out;
}
