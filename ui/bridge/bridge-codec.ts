/**
 * Values across a bridge channel. A JSON channel (extension ports in Chromium) cannot carry bytes,
 * Blobs or `undefined` inside arrays, so they travel as tagged objects; a structured-clone channel
 * carries them as they are. Decoding is strict: an unknown tag or a nesting past the cap is a
 * BridgeProtocolError, never a crash.
 */
import { fromBase64Url, toBase64Url } from '../../shared/crypto/index.js';
import { BridgeProtocolError } from '../errors/app-errors.js';
import type { ChannelMode } from './bridge-channel.js';

const MAX_DEPTH = 32;
const TAG_BYTES = '$bytes';
const TAG_BLOB = '$blob';
const TAG_UNDEFINED = '$undefined';

export function encodeValue(value: unknown, mode: ChannelMode): Promise<unknown> {
  return mode === 'structured' ? Promise.resolve(plainCopy(value, 0)) : encodeJson(value, 0);
}

/**
 * Structured clone refuses proxies (a Vue reactive object is one: DataCloneError), so arrays and
 * plain objects are copied property by property; bytes, Blobs and primitives go as they are.
 */
function plainCopy(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new BridgeProtocolError(`a bridge value is nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Blob) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => plainCopy(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = plainCopy(item, depth + 1);
  return out;
}

export function decodeValue(value: unknown, mode: ChannelMode): unknown {
  return mode === 'structured' ? value : decodeJson(value, 0);
}

async function encodeJson(value: unknown, depth: number): Promise<unknown> {
  if (depth > MAX_DEPTH) throw new BridgeProtocolError(`a bridge value is nested deeper than ${MAX_DEPTH} levels`);
  if (value === undefined) return { [TAG_UNDEFINED]: true };
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return { [TAG_BYTES]: toBase64Url(value) };
  if (value instanceof Blob) {
    return { [TAG_BLOB]: toBase64Url(new Uint8Array(await value.arrayBuffer())), type: value.type };
  }
  if (Array.isArray(value)) return Promise.all(value.map((item: unknown) => encodeJson(item, depth + 1)));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // An absent optional property stays absent (exactOptionalPropertyTypes on the other side).
    if (item !== undefined) out[key] = await encodeJson(item, depth + 1);
  }
  return out;
}

function decodeJson(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new BridgeProtocolError(`a bridge value is nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => decodeJson(item, depth + 1));
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.some((key) => key.startsWith('$'))) return decodeTagged(record, keys);
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = decodeJson(record[key], depth + 1);
  return out;
}

function decodeTagged(record: Record<string, unknown>, keys: readonly string[]): unknown {
  const bytes = record[TAG_BYTES];
  if (keys.length === 1 && typeof bytes === 'string') return fromBase64Url(bytes);
  const blob = record[TAG_BLOB];
  const type = record['type'];
  if (keys.length === 2 && typeof blob === 'string' && typeof type === 'string') {
    return new Blob([new Uint8Array(fromBase64Url(blob))], { type });
  }
  if (keys.length === 1 && record[TAG_UNDEFINED] === true) return undefined;
  throw new BridgeProtocolError(`unknown tagged bridge value with keys ${keys.join(', ')}`);
}
