/** Reading request bodies with a hard cap, and checking JSON fields without trusting their types. */
import type { IncomingMessage } from 'node:http';
import { idBytesFromHex } from '../../shared/wire/index.js';
import { HttpError } from '../errors.js';
import { fromBase64Url } from '../auth/tokens.js';
import type { ByteBudget } from './byte-budget.js';

/**
 * The whole body as one plain Uint8Array; 413 as soon as it passes `max` bytes (the rest is not
 * buffered). With a `budget`, the bytes being read are taken from it and given back at the end:
 * 503 `busy` when it runs out.
 */
export async function readBytes(req: IncomingMessage, max: number, budget?: ByteBudget): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > max) throw new HttpError(413, 'too-large', `the body may be at most ${max} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of readBody(req)) {
      const buffer = chunk as Buffer;
      if (total + buffer.length > max) throw new HttpError(413, 'too-large', `the body may be at most ${max} bytes`);
      if (budget !== undefined && !budget.take(buffer.length)) {
        throw new HttpError(503, 'busy', 'too many uploads at once; try again in a moment');
      }
      total += buffer.length;
      chunks.push(buffer);
    }
    // One copy, not Buffer.concat's plus another: a body can be SEALDESK_MAX_ATTACHMENT_BYTES.
    const body = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.length;
    }
    return body;
  } finally {
    budget?.give(total);
  }
}

/** The request's chunks; a body the client cut short (closed before its content-length) is a typed 400. */
async function* readBody(req: IncomingMessage): AsyncGenerator {
  try {
    yield* req;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'bad-request', 'the body ended before its declared length');
  }
}

export type JsonObject = Readonly<Record<string, unknown>>;

/** A JSON object body; with `emptyIsObject`, an empty body reads as `{}` (optional fields only). */
export async function readJson(req: IncomingMessage, max: number, emptyIsObject = false): Promise<JsonObject> {
  const bytes = await readBytes(req, max);
  if (emptyIsObject && bytes.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, 'bad-request', 'the body must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'bad-request', 'the body must be a JSON object');
  }
  return value as JsonObject;
}

export function stringField(body: JsonObject, name: string, maxLength: number): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new HttpError(400, 'bad-request', `"${name}" must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

/** A base64url (unpadded) field decoded to bytes, with an exact or maximum length. */
export function bytesField(body: JsonObject, name: string, length: { exact?: number; max?: number }): Uint8Array {
  const value = body[name];
  const bytes = typeof value === 'string' ? fromBase64Url(value) : undefined;
  const ok =
    bytes !== undefined &&
    (length.exact === undefined || bytes.length === length.exact) &&
    (length.max === undefined || bytes.length <= length.max);
  if (!ok)
    throw new HttpError(
      400,
      'bad-request',
      `"${name}" must be unpadded base64url of ${length.exact ?? `at most ${length.max ?? 0}`} bytes`,
    );
  return bytes;
}

/** A 16-byte id as 32 lower-case hex digits (path segment or JSON field). */
export function hexId(text: unknown, what: string): string {
  if (typeof text !== 'string') throw new HttpError(400, 'bad-request', `${what} must be 32 lower-case hex digits`);
  try {
    idBytesFromHex(text);
  } catch {
    throw new HttpError(400, 'bad-request', `${what} must be 32 lower-case hex digits`);
  }
  return text;
}
