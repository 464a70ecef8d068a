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
