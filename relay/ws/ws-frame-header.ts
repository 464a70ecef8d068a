/**
 * The header of an unmasked, unfragmented binary WebSocket frame (RFC 6455 §5.2), written into
 * headroom the hot frame encoders leave in front of a relay frame, so that a `stored` or
 * `deliver` frame leaves as ONE buffer without going through ws's sender (which allocates and
 * writes a separate header per frame). Servers never mask (§5.1); FIN is set, opcode 0x2.
 */
const FIN_BINARY = 0x82;
const LENGTH_16 = 126;
const LENGTH_64 = 127;
const TWO_POW_32 = 0x1_0000_0000;

/** Header bytes for a payload of `length` bytes: 2, 4 (16-bit length) or 10 (64-bit length). */
export function wsHeaderBytes(length: number): number {
  if (length < LENGTH_16) return 2;
  return length <= 0xffff ? 4 : 10;
}

/** Writes the header into `frame[0 .. wsHeaderBytes(payloadLength))`; the payload follows it. */
export function writeWsHeader(frame: Uint8Array, payloadLength: number): void {
  frame[0] = FIN_BINARY;
  if (payloadLength < LENGTH_16) {
    frame[1] = payloadLength;
  } else if (payloadLength <= 0xffff) {
    frame[1] = LENGTH_16;
    frame[2] = payloadLength >>> 8;
    frame[3] = payloadLength & 0xff;
  } else {
    // §5.2: 64-bit length, most significant bit 0.
    frame[1] = LENGTH_64;
    const hi = Math.floor(payloadLength / TWO_POW_32);
    const lo = payloadLength % TWO_POW_32;
    for (let i = 0; i < 4; i++) {
      frame[2 + i] = (hi >>> (24 - 8 * i)) & 0xff;
      frame[6 + i] = (lo >>> (24 - 8 * i)) & 0xff;
    }
  }
}
