/**
 * Decoder for the client frames the relay reads once per message (docs/PROTOCOL.md §16.2.3 `send`,
 * §16.2.4 `ack`), without the generic codec machinery. It accepts exactly the inputs
 * `decodeClientFrame` accepts and returns the same frames; the property tests check this.
 *
 * Only well-formed send and ack frames take the direct path. Every other input (other frame
 * types, and anything the direct checks refuse) goes to `decodeClientFrame`, which throws the
 * FrameDecodeError (same reason, same message) the relay has always reported.
 */
import { TWO_POW_32, u32At } from '../integers.js';
import { LIMITS } from '../limits.js';
import { type ClientFrame, CLIENT_FRAME_TYPES, decodeClientFrame } from './client-frames.js';
import { FRAME_VERSION } from './frame-header.js';

/** Header (2) + u32 requestId + u32 envelope length, before the envelope. */
const SEND_PREFIX_BYTES = 10;
/** Header (2) + u64 cursor. */
const ACK_BYTES = 10;
/** §2.1: a u64 is at most 2^53-1, i.e. its high u32 is at most 2^21-1. */
const MAX_U64_HIGH = 0x1f_ffff;

/**
 * `decodeClientFrame(bytes)`, with one difference: the `envelope` of a send frame is a view of
 * `bytes`, not a copy. It aliases the input: whoever keeps it (a queue, a cache) keeps the
 * input's whole ArrayBuffer alive and sees any later write to it, so copy it before storing it
 * beyond the current message, or before the input buffer is reused.
 */
export function decodeClientFrameFast(bytes: Uint8Array): ClientFrame {
  // §16.1: size cap and header; anything odd gets the generic decoder's reason and message.
  if (
    !(bytes instanceof Uint8Array) ||
    bytes.length > LIMITS.maxFrameBytes ||
    bytes.length < 2 ||
    bytes[0] !== FRAME_VERSION
  ) {
    return decodeClientFrame(bytes);
  }
  const type = bytes[1];
  if (type === CLIENT_FRAME_TYPES.send && bytes.length >= SEND_PREFIX_BYTES) {
    const length = u32At(bytes, 6);
    // §16.2 / §14: envelope length within maxEnvelopeBytes and exactly the rest of the frame.
    if (length <= LIMITS.maxEnvelopeBytes && bytes.length === SEND_PREFIX_BYTES + length) {
      const envelope = new Uint8Array(bytes.buffer, bytes.byteOffset + SEND_PREFIX_BYTES, length);
      return { requestId: u32At(bytes, 2), envelope, type: 'send' };
    }
  } else if (type === CLIENT_FRAME_TYPES.ack && bytes.length === ACK_BYTES) {
    const high = u32At(bytes, 2);
    // §2.1: a u64 above 2^53-1 is malformed.
    if (high <= MAX_U64_HIGH) return { cursor: high * TWO_POW_32 + u32At(bytes, 6), type: 'ack' };
  }
  return decodeClientFrame(bytes);
}
