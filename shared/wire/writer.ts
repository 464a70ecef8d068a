/**
 * Big-endian writer for the Sealdesk wire encoding (docs/PROTOCOL.md §2).
 *
 * A writer validates what it is given (integer ranges, byte lengths, caps) and throws UsageError
 * naming the field path, so that an encoding that could not be decoded is never produced.
 */
import { UsageError } from '../errors/index.js';
import { formatFieldPath } from './field-path.js';
import { MAX_U16, MAX_U32, MAX_U64, MAX_U8, TWO_POW_32, checkLength, isUint } from './integers.js';

export class Writer {
  #buffer = new Uint8Array(64);
  #length = 0;
  readonly #path: string[] = [];

  u8(v: number): this {
    this.#checkUint(v, MAX_U8, 'u8');
    const b = this.#reserve(1);
    b[this.#length - 1] = v;
    return this;
  }

  u16(v: number): this {
    this.#checkUint(v, MAX_U16, 'u16');
    const b = this.#reserve(2);
    const o = this.#length - 2;
    b[o] = v >>> 8;
    b[o + 1] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.#checkUint(v, MAX_U32, 'u32');
    this.#putU32(v);
    return this;
  }

  /** PROTOCOL §2: 0..2^53-1 only. */
  u64(v: number): this {
    this.#checkUint(v, MAX_U64, 'u64');
    this.#putU32(Math.floor(v / TWO_POW_32));
    this.#putU32(v % TWO_POW_32);
    return this;
  }

  /** Exactly `length` bytes, no prefix. Any other length is a UsageError. */
  fixed(bytes: Uint8Array, length: number): this {
    checkLength(length, MAX_U32, 'fixed length');
    if (!(bytes instanceof Uint8Array)) throw this.fail('expected a Uint8Array');
    if (bytes.length !== length) throw this.fail(`expected exactly ${length} bytes, got ${bytes.length}`);
    this.#put(bytes);
    return this;
  }

  /** u32 length prefix, then the bytes. Longer than `max` is a UsageError. */
  bytes(b: Uint8Array, max: number): this {
    checkLength(max, MAX_U32, 'bytes cap');
    if (!(b instanceof Uint8Array)) throw this.fail('expected a Uint8Array');
    if (b.length > max) throw this.fail(`${b.length} bytes exceed the cap of ${max}`);
    this.#putU32(b.length);
    this.#put(b);
    return this;
  }

  /** The encoding so far, as a fresh Uint8Array. */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  /** Runs `write` with `name` appended to the field path used in error messages. */
  field(name: string, write: () => void): void {
    this.#path.push(name);
    try {
      write();
    } finally {
      this.#path.pop();
    }
  }

  /** A UsageError naming the current field path. Codecs throw what this returns. */
  fail(detail: string): UsageError {
    return new UsageError(`${formatFieldPath(this.#path)}: ${detail}`);
  }

  #checkUint(v: number, max: number, what: string): void {
    if (!isUint(v, max)) throw this.fail(`${what} must be an integer in 0..${max}`);
  }

  #putU32(v: number): void {
    const b = this.#reserve(4);
    const o = this.#length - 4;
    b[o] = v >>> 24;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
  }

  #put(bytes: Uint8Array): void {
    this.#reserve(bytes.length).set(bytes, this.#length - bytes.length);
  }

  /** Grows the buffer for `count` more bytes, advances the length, returns the buffer. */
  #reserve(count: number): Uint8Array {
    const needed = this.#length + count;
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#length = needed;
    return this.#buffer;
  }
}
