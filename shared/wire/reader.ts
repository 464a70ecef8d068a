/**
 * Strict big-endian reader for the Sealdesk wire encoding (docs/PROTOCOL.md §2).
 *
 * Every failure on input bytes is a DecodeError whose message starts with the field path being
 * read (e.g. `envelope.recipient.deviceId: needs 16 bytes, 3 remain`). Lengths are checked
 * against their cap and against the remaining input BEFORE anything is allocated, and every byte
 * field returned is a fresh copy, never a view into the input.
 */
import { DecodeError, UsageError } from '../errors/index.js';
import { formatFieldPath } from './field-path.js';
import { MAX_U32, MAX_U64, TWO_POW_32, checkLength } from './integers.js';

export class Reader {
  readonly #bytes: Uint8Array;
  #offset = 0;
  readonly #path: string[] = [];

  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw new UsageError('Reader needs a Uint8Array');
    this.#bytes = bytes;
  }

  /** Bytes not read yet. */
  remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** PROTOCOL §2: an encoding is exactly one value; anything after it is an error. */
  end(): void {
    const left = this.remaining();
    if (left !== 0) throw this.fail(`${left} trailing byte${left === 1 ? '' : 's'} after the value`);
  }

  u8(): number {
    this.#need(1, 'u8');
    const v = this.#bytes[this.#offset] ?? 0;
    this.#offset += 1;
    return v;
  }

  u16(): number {
    this.#need(2, 'u16');
    const b = this.#bytes;
    const o = this.#offset;
    this.#offset += 2;
    return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
  }

  u32(): number {
    this.#need(4, 'u32');
    const b = this.#bytes;
    const o = this.#offset;
    this.#offset += 4;
    return (((b[o] ?? 0) << 24) >>> 0) + (((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0));
  }

  /** PROTOCOL §2: u64 values above 2^53-1 are rejected so that every value is an exact JS number. */
  u64(): number {
    this.#need(8, 'u64');
    const hi = this.u32();
    const lo = this.u32();
    const value = hi * TWO_POW_32 + lo;
    if (hi > 0x1f_ffff || value > MAX_U64) throw this.fail('u64 above 2^53-1 is not allowed');
    return value;
  }

  /** Exactly `length` bytes, copied. */
  fixed(length: number): Uint8Array {
    checkLength(length, MAX_U32, 'fixed length');
    this.#need(length, `${length} bytes`);
    return this.#take(length);
  }

  /** A u32 length prefix, then that many bytes (copied). The cap is checked before the buffer. */
  bytes(max: number): Uint8Array {
    checkLength(max, MAX_U32, 'bytes cap');
    const length = this.u32();
    if (length > max) throw this.fail(`length ${length} exceeds the cap of ${max} bytes`);
    if (length > this.remaining()) {
      throw this.fail(`length prefix ${length} runs past the end of the input (${this.remaining()} bytes remain)`);
    }
    return this.#take(length);
  }

  /**
   * Runs `read` with `name` appended to the field path used in error messages.
   * Names starting with `[` (list indexes) are appended without a dot.
   */
  field<T>(name: string, read: () => T): T {
    this.#path.push(name);
    try {
      return read();
    } finally {
      this.#path.pop();
    }
  }

  /** A DecodeError naming the current field path. Codecs throw what this returns. */
  fail(detail: string): DecodeError {
    return new DecodeError(`${formatFieldPath(this.#path)}: ${detail}`);
  }

  #need(count: number, what: string): void {
    const left = this.remaining();
    if (count > left) throw this.fail(`needs ${what}, but only ${left} byte${left === 1 ? ' remains' : 's remain'}`);
  }

  #take(length: number): Uint8Array {
    // new Uint8Array(view) copies, and gives a plain Uint8Array even when the input is a Node Buffer.
    const out = new Uint8Array(this.#bytes.subarray(this.#offset, this.#offset + length));
    this.#offset += length;
    return out;
  }
}
