/** Integer ranges of the wire encoding (docs/PROTOCOL.md §2) and the checks writers share. */
import { UsageError } from '../errors/index.js';

export const MAX_U8 = 0xff;
export const MAX_U16 = 0xffff;
export const MAX_U32 = 0xffff_ffff;
/** PROTOCOL §2: u64 fields carry at most 2^53-1 so that every value is an exact JS number. */
export const MAX_U64 = Number.MAX_SAFE_INTEGER;

/** True when `value` is an integer in 0..max. */
export function isUint(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

/** Schema parameters (caps, fixed lengths, counts) must be integers in 0..max: UsageError otherwise. */
export function checkLength(value: number, max: number, what: string): void {
  if (!isUint(value, max)) throw new UsageError(`${what} must be an integer in 0..${max}`);
}

/** 2^32: u64 values travel as two big-endian u32 halves (§2.1). */
export const TWO_POW_32 = 0x1_0000_0000;

/** Big-endian u32 at `offset` (§2.1), for hot paths whose caller has checked that 4 bytes exist. */
export function u32At(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset] ?? 0) * 0x100_0000 +
    (((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0))
  );
}
