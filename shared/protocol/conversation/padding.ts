/**
 * Padding of conversation plaintexts to size buckets before encryption (security brief F17;
 * docs/PROTOCOL.md §7.5). Layout: u32 big-endian length | content | zero bytes, total length
 * exactly the smallest bucket that holds 4 + content. Decoding is strict: a total that is not
 * that bucket, a length past the end or any non-zero padding byte is a DecodeError.
 */
import { DecodeError, LimitError } from '../../errors/index.js';

/** Bucket sizes in bytes (the largest is the maximum padded message size). */
export const PADDING_BUCKETS: readonly number[] = [256, 1024, 4096, 16_384, 49_152];
export const MAX_PADDED_BYTES = 49_152;
const LENGTH_BYTES = 4;

/** The smallest bucket that holds `contentLength` bytes of content, or undefined if none does. */
export function bucketFor(contentLength: number): number | undefined {
  return PADDING_BUCKETS.find((b) => b >= contentLength + LENGTH_BYTES);
}

export function pad(content: Uint8Array): Uint8Array {
  const bucket = bucketFor(content.length);
  if (bucket === undefined)
    throw new LimitError(`message of ${content.length} bytes exceeds the largest padding bucket (${MAX_PADDED_BYTES})`);
  const out = new Uint8Array(bucket);
  new DataView(out.buffer).setUint32(0, content.length);
  out.set(content, LENGTH_BYTES);
  return out;
}

export function unpad(padded: Uint8Array): Uint8Array {
  if (padded.length < LENGTH_BYTES) throw new DecodeError(`padded message of ${padded.length} bytes is too short`);
  const length = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0);
  if (length > padded.length - LENGTH_BYTES) throw new DecodeError('padding length prefix points past the end');
  // F17: exactly the smallest bucket, so one content has exactly one padded form.
  if (bucketFor(length) !== padded.length)
    throw new DecodeError(`padded length ${padded.length} is not the bucket for ${length} content bytes`);
  for (let i = LENGTH_BYTES + length; i < padded.length; i++) {
    if (padded[i] !== 0) throw new DecodeError('non-zero padding byte');
  }
  return padded.slice(LENGTH_BYTES, LENGTH_BYTES + length);
}
