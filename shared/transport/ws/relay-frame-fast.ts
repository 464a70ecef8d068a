/**
 * The relay frames a client reads once per message (PROTOCOL §16.3.3 `stored`, §16.3.4
 * `deliver`) read by their fixed offsets. It accepts exactly the inputs `decodeRelayFrame`
 * accepts and returns the same frames (test/property/relay-frame-fast.property.test.ts), with one
 * difference: a deliver frame's envelope is a view of `bytes`, not a copy. Anything the direct
 * checks do not take goes to `decodeRelayFrame`, which throws its FrameDecodeError.
 * Why: the strict generic decode costs a client ~20× the direct read per delivery (measured in
 * the benchmark's load generator, which must stay far cheaper than the relay it measures).
 */
import { FRAME_VERSION, LIMITS, RELAY_FRAME_TYPES, type RelayFrame, decodeRelayFrame } from '../../wire/index.js';

/** Header (2) + u64 cursor + u32 envelope length. */
const DELIVER_PREFIX_BYTES = 14;
/** Header (2) + u32 requestId + u64 cursor. */
const STORED_BYTES = 14;
/** §2.1: a u64 is at most 2^53-1, so its high u32 is at most 2^21-1. */
const MAX_U64_HIGH = 0x1f_ffff;
const TWO_POW_32 = 0x1_0000_0000;

export function decodeRelayFrameFast(bytes: Uint8Array): RelayFrame {
  if (bytes.length > LIMITS.maxFrameBytes || bytes.length < 2 || bytes[0] !== FRAME_VERSION) {
    return decodeRelayFrame(bytes);
  }
  const type = bytes[1];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === RELAY_FRAME_TYPES.deliver && bytes.length >= DELIVER_PREFIX_BYTES) {
    const high = view.getUint32(2);
    const length = view.getUint32(10);
    // §16.3.4 / §14: u64 cursor, envelope length within maxEnvelopeBytes and exactly the rest.
    if (high <= MAX_U64_HIGH && length <= LIMITS.maxEnvelopeBytes && bytes.length === DELIVER_PREFIX_BYTES + length) {
      const envelope = new Uint8Array(bytes.buffer, bytes.byteOffset + DELIVER_PREFIX_BYTES, length);
      return { cursor: high * TWO_POW_32 + view.getUint32(6), envelope, type: 'deliver' };
    }
  } else if (type === RELAY_FRAME_TYPES.stored && bytes.length === STORED_BYTES) {
    const high = view.getUint32(6);
    if (high <= MAX_U64_HIGH) {
      return { requestId: view.getUint32(2), cursor: high * TWO_POW_32 + view.getUint32(10), type: 'stored' };
    }
  }
  return decodeRelayFrame(bytes);
}
