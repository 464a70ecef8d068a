/**
 * Codec combinators for the Sealdesk wire encoding (docs/PROTOCOL.md §2).
 *
 * A codec is a pair of functions over a Writer and a Reader. Schemas are built from the
 * primitives here; the encoding of a schema is the concatenation of its fields' encodings, with
 * no field names, no padding and no optional forms, so one value has exactly one encoding.
 */
import { UsageError } from '../errors/index.js';
import { MAX_U32, MAX_U8, checkLength } from './integers.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export interface Codec<T> {
  readonly write: (w: Writer, value: T) => void;
  readonly read: (r: Reader) => T;
}

/** The value type of a codec: `CodecValue<typeof envelopeCodec>`. */
export type CodecValue<C> = C extends Codec<infer T> ? T : never;

/** Encodes one value. Invalid values throw UsageError naming the field. */
export function encode<T>(codec: Codec<T>, value: T): Uint8Array {
  const w = new Writer();
  codec.write(w, value);
  return w.finish();
}

/**
 * Decodes exactly one value: the input must be consumed completely (PROTOCOL §2, no trailing
 * bytes). Any malformed input throws DecodeError; `what` names the root in error messages.
 */
export function decode<T>(codec: Codec<T>, bytes: Uint8Array, what?: string): T {
  const r = new Reader(bytes);
  const read = (): T => {
    const value = codec.read(r);
    r.end();
    return value;
  };
  return what === undefined ? read() : r.field(what, read);
}

export const u8: Codec<number> = { write: (w, v) => w.u8(v), read: (r) => r.u8() };
export const u16: Codec<number> = { write: (w, v) => w.u16(v), read: (r) => r.u16() };
export const u32: Codec<number> = { write: (w, v) => w.u32(v), read: (r) => r.u32() };
/** 0..2^53-1 (PROTOCOL §2). */
export const u64: Codec<number> = { write: (w, v) => w.u64(v), read: (r) => r.u64() };

/** Exactly `length` bytes, no prefix. Decoded values are copies. */
export function fixedBytes(length: number): Codec<Uint8Array> {
  checkLength(length, MAX_U32, 'fixedBytes length');
  return { write: (w, v) => w.fixed(v, length), read: (r) => r.fixed(length) };
}

/** u32 length prefix then the bytes; at most `max` bytes. Decoded values are copies. */
export function varBytes(max: number): Codec<Uint8Array> {
  checkLength(max, MAX_U32, 'varBytes cap');
  return { write: (w, v) => w.bytes(v, max), read: (r) => r.bytes(max) };
}

// PROTOCOL §2: strings are well-formed UTF-16 in memory and strict UTF-8 on the wire. A lone
// surrogate has no UTF-8 form (TextEncoder would silently turn it into U+FFFD), so it is refused.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8Encoder = new TextEncoder();
// fatal: malformed UTF-8 (overlong forms, surrogates, truncated sequences) is an error, never
// replaced; ignoreBOM: a leading U+FEFF is kept as text, so it cannot be a second encoding of "".
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** u32 byte-length prefix then strict UTF-8, at most `maxBytes` bytes. No normalisation is applied. */
export function utf8String(maxBytes: number): Codec<string> {
  checkLength(maxBytes, MAX_U32, 'utf8String cap');
  return {
    write: (w, v) => {
      if (typeof v !== 'string') throw w.fail('expected a string');
      if (LONE_SURROGATE.test(v)) throw w.fail('string contains a lone surrogate and has no UTF-8 form');
      w.bytes(utf8Encoder.encode(v), maxBytes);
    },
    read: (r) => {
      const raw = r.bytes(maxBytes);
      try {
        return utf8Decoder.decode(raw);
      } catch {
        throw r.fail('invalid UTF-8');
      }
    },
  };
}

/** One byte, 0 = false, 1 = true; PROTOCOL §2: any other byte is a DecodeError. */
export const bool: Codec<boolean> = {
  write: (w, v) => {
    if (typeof v !== 'boolean') throw w.fail('expected a boolean');
    w.u8(v ? 1 : 0);
  },
  read: (r) => {
    const b = r.u8();
    if (b > 1) throw r.fail(`boolean byte must be 0 or 1, got ${b}`);
    return b === 1;
  },
};

/** u32 count prefix then the items; at most `maxCount` items (checked before any item is read). */
export function list<T>(item: Codec<T>, maxCount: number): Codec<readonly T[]> {
  checkLength(maxCount, MAX_U32, 'list maxCount');
  return {
    write: (w, values) => {
      if (!Array.isArray(values)) throw w.fail('expected an array');
      if (values.length > maxCount) throw w.fail(`${values.length} items exceed the cap of ${maxCount}`);
      w.u32(values.length);
      values.forEach((v: T, i) => {
        w.field(`[${i}]`, () => {
          item.write(w, v);
        });
      });
    },
    read: (r) => {
      const count = r.u32();
      if (count > maxCount) throw r.fail(`count ${count} exceeds the cap of ${maxCount} items`);
      const out: T[] = [];
      for (let i = 0; i < count; i++) out.push(r.field(`[${i}]`, () => item.read(r)));
      return out;
    },
  };
}

/** Presence byte (0 absent, 1 present) then the item. Other presence bytes are a DecodeError. */
export function optional<T>(item: Codec<T>): Codec<T | undefined> {
  return {
    write: (w, v) => {
      if (v === undefined) {
        w.u8(0);
        return;
      }
      w.u8(1);
      item.write(w, v);
    },
    read: (r) => {
      const present = r.u8();
      if (present > 1) throw r.fail(`presence byte must be 0 or 1, got ${present}`);
      return present === 1 ? item.read(r) : undefined;
    },
  };
}

/** Runtime guard for values that arrive typed but may come from untyped callers. */
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

const INTEGER_LIKE_KEY = /^(0|[1-9]\d*)$/;

/**
 * A record encoded as its fields in the order of the keys of `fields` (the object literal's
 * order), without names or separators. Integer-like keys are refused because JavaScript would
 * reorder them. Encoding reads only the listed fields; decoding returns a fresh object with
 * exactly those fields.
 */
export function struct<T extends object>(fields: { readonly [K in keyof T]: Codec<T[K]> }): Codec<T> {
  const entries: (readonly [keyof T & string, Codec<T[keyof T & string]>])[] = [];
  for (const key of Object.keys(fields) as (keyof T & string)[]) {
    if (INTEGER_LIKE_KEY.test(key))
      throw new UsageError(`struct field "${key}" is integer-like; JavaScript would reorder it`);
    entries.push([key, fields[key]]);
  }
  return {
    write: (w, value) => {
      if (!isObject(value)) throw w.fail('expected an object');
      for (const [key, codec] of entries) {
        w.field(key, () => {
          codec.write(w, value[key]);
        });
      }
    },
    read: (r) => {
      const out: Partial<T> = {};
      for (const [key, codec] of entries) out[key] = r.field(key, () => codec.read(r));
      return out as T;
    },
  };
}

/** One variant of a tagged union: its tag byte and the codec of its other fields. */
export interface Variant<V extends object> {
  readonly tag: number;
  readonly codec: Codec<V>;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The union type produced by `taggedUnion(key, variants)`. */
export type TaggedUnionValue<K extends string, M extends Record<string, object>> = {
  [N in keyof M & string]: Simplify<Readonly<Record<K, N>> & M[N]>;
}[keyof M & string];

/**
 * A discriminated union: a u8 tag, then the chosen variant's fields. In memory the variant is
 * named by the property `key` (e.g. `kind`); on the wire only the tag byte is written.
 * Unknown tags are a DecodeError (PROTOCOL §2). Tags must be distinct integers in 0..255.
 *
 *   const recipient = taggedUnion('kind', {
 *     device: { tag: 1, codec: struct({ deviceId: deviceIdCodec }) },
 *     visitor: { tag: 2, codec: struct({}) },
 *   });
 */
export function taggedUnion<K extends string, M extends Record<string, object>>(
  key: K,
  variants: { readonly [N in keyof M]: Variant<M[N]> },
): Codec<TaggedUnionValue<K, M>> {
  type Value = TaggedUnionValue<K, M>;
  const byTag = new Map<number, readonly [string, Codec<object>]>();
  const byName = new Map<string, readonly [number, Codec<object>]>();
  for (const name of Object.keys(variants) as (keyof M & string)[]) {
    const { tag, codec } = variants[name];
    if (typeof tag !== 'number' || !Number.isInteger(tag) || tag < 0 || tag > MAX_U8) {
      throw new UsageError(`taggedUnion variant "${name}" needs a tag in 0..255`);
    }
    if (byTag.has(tag)) throw new UsageError(`taggedUnion tag ${tag} is used twice`);
    // Each variant's codec reads and writes its own M[name]; the map forgets which one.
    byTag.set(tag, [name, codec as unknown as Codec<object>]);
    byName.set(name, [tag, codec as unknown as Codec<object>]);
  }
  return {
    write: (w, value) => {
      if (!isObject(value)) throw w.fail('expected an object');
      const name: unknown = (value as Record<string, unknown>)[key];
      const variant = typeof name === 'string' ? byName.get(name) : undefined;
      if (variant === undefined || typeof name !== 'string') throw w.fail(`unknown ${key} "${String(name)}"`);
      const [tag, codec] = variant;
      w.u8(tag);
      w.field(name, () => {
        codec.write(w, value);
      });
    },
    read: (r) => {
      const tag = r.u8();
      const variant = byTag.get(tag);
      if (variant === undefined) throw r.fail(`unknown ${key} tag ${tag}`);
      const [name, codec] = variant;
      const fields = r.field(name, () => codec.read(r));
      // The discriminant comes first for readability and last so a variant field cannot shadow it.
      return Object.assign({ [key]: name }, fields, { [key]: name }) as Value;
    },
  };
}

/**
 * Adds a check to a codec: `check` returns a reason when the value is not acceptable. On decode
 * the reason becomes a DecodeError, on encode a UsageError, both naming the field.
 */
export function refine<T>(codec: Codec<T>, check: (value: T) => string | undefined): Codec<T> {
  return {
    write: (w, value) => {
      const reason = check(value);
      if (reason !== undefined) throw w.fail(reason);
      codec.write(w, value);
    },
    read: (r) => {
      const value = codec.read(r);
      const reason = check(value);
      if (reason !== undefined) throw r.fail(reason);
      return value;
    },
  };
}

/**
 * A codec whose decoded values are the branded type `B` (e.g. `Uint8Array & { __brand: 'DeviceId' }`),
 * usually inferred from the declared type: `const c: Codec<DeviceId> = branded(fixedBytes(16))`.
 * The optional check runs as in `refine`; the brand itself has no bytes on the wire.
 */
export function branded<B extends T, T>(codec: Codec<T>, check?: (value: T) => string | undefined): Codec<B> {
  const inner = check === undefined ? codec : refine(codec, check);
  return { write: inner.write, read: (r) => inner.read(r) as B };
}
