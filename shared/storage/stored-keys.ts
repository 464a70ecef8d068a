/**
 * X25519 private keys inside stored states, in their wrapped form (shared/crypto/x25519-wrap.ts):
 * WebKit stores X25519 CryptoKeys in IndexedDB as null, so every adapter stores them as
 * `{ [WRAPPED_X25519]: { iv, wrapped } }` under the database's storage wrapping key, and readers
 * unwrap them non-extractable. Other values (other CryptoKeys included) are kept as they are; a
 * record written before this form, holding the CryptoKey itself, still reads.
 */
import { InvalidKeyError } from '../errors/index.js';
import {
  type StorageWrappingKey,
  WRAP_IV_BYTES,
  isX25519PrivateKey,
  unwrapX25519PrivateKey,
  wrapX25519PrivateKey,
} from '../crypto/index.js';
import { StorageCorruptError, StorageWriteError, WRITE_FAILURES } from './storage-errors.js';

/** The one property of a wrapped X25519 private key's placeholder in a stored state. */
export const WRAPPED_X25519 = '$wrappedX25519';

/** What a leaf becomes: its replacement, or undefined to keep it (and look inside it). */
type Visit<T> = (value: unknown) => T | undefined;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Every leaf `visit` answers for, with its answer (one synchronous walk: states are large and hold few keys). */
function collectLeaves<T>(value: unknown, visit: Visit<T>, found: Map<unknown, T>): void {
  const answer = visit(value);
  if (answer !== undefined) {
    found.set(value, answer);
    return;
  }
  if (Array.isArray(value)) for (const item of value) collectLeaves(item, visit, found);
  else if (value instanceof Map) {
    for (const [k, v] of value) {
      collectLeaves(k, visit, found);
      collectLeaves(v, visit, found);
    }
  } else if (isPlainObject(value)) for (const v of Object.values(value)) collectLeaves(v, visit, found);
}

/**
 * `value` with each leaf in `replacements` replaced: new arrays, Maps and objects on the paths to
 * replaced leaves, the original parts elsewhere (nothing is mutated, and the store copies what it
 * writes, so sharing the unchanged parts is safe and spares copying a state's largest parts).
 */
function replaceLeaves(value: unknown, replacements: ReadonlyMap<unknown, unknown>): unknown {
  if (replacements.has(value)) return replacements.get(value);
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => replaceLeaves(item, replacements));
    return items.every((item, i) => item === value[i]) ? value : items;
  }
  if (value instanceof Map) {
    const entries = [...value].map(
      ([k, v]) => [replaceLeaves(k, replacements), replaceLeaves(v, replacements)] as const,
    );
    return entries.every(([k, v]) => value.has(k) && value.get(k) === v) ? value : new Map(entries);
  }
  if (isPlainObject(value)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = replaceLeaves(v, replacements);
      changed ||= out[k] !== v;
    }
    return changed ? out : value;
  }
  return value;
}

/** A copy of `value` in which every leaf `visit` answers for is replaced by what its answer resolves to. */
async function mapLeaves(value: unknown, visit: Visit<Promise<unknown>>): Promise<unknown> {
  const found = new Map<unknown, Promise<unknown>>();
  collectLeaves(value, visit, found);
  if (found.size === 0) return value;
  const answers = await Promise.all(found.values());
  return replaceLeaves(value, new Map([...found.keys()].map((leaf, i) => [leaf, answers[i]])));
}

/** Whether `value` holds an X25519 CryptoKey or a wrapped one anywhere (cheap pre-check). */
export function holdsX25519(value: unknown): boolean {
  if (value instanceof CryptoKey) return value.algorithm.name === 'X25519';
  if (Array.isArray(value)) return value.some(holdsX25519);
  if (value instanceof Map) return [...value].some(([k, v]) => holdsX25519(k) || holdsX25519(v));
  if (isPlainObject(value)) return WRAPPED_X25519 in value || Object.values(value).some(holdsX25519);
  return false;
}

/** `state` with each X25519 private key replaced by its wrapped placeholder (a copy; `state` is left as it is). */
export function wrapStateKeys(state: unknown, wrappingKey: StorageWrappingKey, key: string): Promise<unknown> {
  return mapLeaves(state, (value) => {
    if (!(value instanceof CryptoKey) || value.algorithm.name !== 'X25519') return undefined;
    if (!isX25519PrivateKey(value)) {
      throw new StorageWriteError(
        `${key}: an X25519 public CryptoKey cannot be stored (store its raw bytes)`,
        WRITE_FAILURES.unserialisable,
      );
    }
    return wrapX25519PrivateKey(value, wrappingKey).then(
      (form) => ({ [WRAPPED_X25519]: form }),
      (error: unknown) => {
        const reason = WRITE_FAILURES.unserialisable;
        throw new StorageWriteError(`${key}: an X25519 private key could not be wrapped (${reason})`, reason, {
          cause: error,
        });
      },
    );
  });
}

function wrappedForm(value: unknown): { iv: Uint8Array; wrapped: Uint8Array } | undefined | 'bad' {
  if (!isPlainObject(value) || !(WRAPPED_X25519 in value)) return undefined;
  const form = value[WRAPPED_X25519];
  if (Object.keys(value).length !== 1 || !isPlainObject(form)) return 'bad';
  const { iv, wrapped } = form;
  if (!(iv instanceof Uint8Array) || iv.length !== WRAP_IV_BYTES || !(wrapped instanceof Uint8Array)) return 'bad';
  return { iv, wrapped };
}

/**
 * `state` with each wrapped placeholder replaced by its non-extractable X25519 private key.
 * `wrappingKey` is undefined when the database has none: then a placeholder is corrupt, as is one
 * that does not unwrap (StorageCorruptError naming `key`).
 */
export function unwrapStateKeys(
  state: unknown,
  wrappingKey: StorageWrappingKey | undefined,
  key: string,
): Promise<unknown> {
  return mapLeaves(state, (value) => {
    const form = wrappedForm(value);
    if (form === undefined) return undefined;
    if (form === 'bad') throw new StorageCorruptError(`${key}: a wrapped key is malformed`, key);
    if (wrappingKey === undefined) {
      throw new StorageCorruptError(`${key}: a wrapped key is stored but the database has no wrapping key`, key);
    }
    return unwrapX25519PrivateKey(form, wrappingKey).catch((error: unknown) => {
      if (!(error instanceof InvalidKeyError)) throw error;
      throw new StorageCorruptError(`${key}: a wrapped key does not open under the database's wrapping key`, key, {
        cause: error,
      });
    });
  });
}
