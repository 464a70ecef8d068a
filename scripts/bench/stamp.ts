/**
 * The 16 bytes the load generator writes at the start of each message body: the intended send
 * time (performance.now(), float64) and the sender index (u32), plus 4 reserved bytes. The rest of
 * the body is random bytes; the relay never reads a body.
 */
export const STAMP_BYTES = 16;

export function writeStamp(buffer: Uint8Array, offset: number, sentAt: number, sender: number): void {
  const view = new DataView(buffer.buffer, buffer.byteOffset + offset, STAMP_BYTES);
  view.setFloat64(0, sentAt);
  view.setUint32(8, sender);
}

export function readStamp(buffer: Uint8Array, offset: number): { sentAt: number; sender: number } {
  const view = new DataView(buffer.buffer, buffer.byteOffset + offset, STAMP_BYTES);
  return { sentAt: view.getFloat64(0), sender: view.getUint32(8) };
}

/** Random bytes of any length (crypto.getRandomValues fills at most 65,536 bytes per call). */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(length, at + 65_536)));
  return out;
}
