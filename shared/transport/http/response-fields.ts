/**
 * Reading fields of the relay's JSON answers without trusting their types: a missing or
 * malformed field is a BadResponseError naming it (never a crash further on).
 */
import { fromBase64Url } from '../../crypto/index.js';
import {
  type AccountId,
  type ConversationId,
  type DeviceId,
  asAccountId,
  asConversationId,
  asDeviceId,
  idBytesFromHex,
} from '../../wire/index.js';
import { BadResponseError } from '../relay-errors.js';

type Json = Readonly<Record<string, unknown>>;

export function stringField(body: Json, name: string, what: string, maxLength = 4096): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new BadResponseError(`${what}: the relay's answer lacks the string "${name}"`);
  }
  return value;
}

export function numberField(body: Json, name: string, what: string): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new BadResponseError(`${what}: the relay's answer lacks the count "${name}"`);
  }
  return value;
}

/** Unpadded base64url bytes, with an exact length when given. */
export function bytesOf(text: unknown, name: string, what: string, exact?: number): Uint8Array {
  let bytes: Uint8Array | undefined;
  try {
    bytes = typeof text === 'string' ? fromBase64Url(text) : undefined;
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || (exact !== undefined && bytes.length !== exact)) {
    throw new BadResponseError(
      `${what}: "${name}" in the relay's answer is not base64url${exact === undefined ? '' : ` of ${exact} bytes`}`,
    );
  }
  return bytes;
}

export function bytesField(body: Json, name: string, what: string, exact?: number): Uint8Array {
  return bytesOf(body[name], name, what, exact);
}

function idField<T>(body: Json, name: string, what: string, brand: (bytes: Uint8Array) => T): T {
  try {
    return brand(idBytesFromHex(stringField(body, name, what, 32)));
  } catch (error) {
    if (error instanceof BadResponseError) throw error;
    throw new BadResponseError(`${what}: "${name}" in the relay's answer is not 32 hex digits`, { cause: error });
  }
}

export const accountIdField = (body: Json, name: string, what: string): AccountId =>
  idField(body, name, what, asAccountId);
export const deviceIdField = (body: Json, name: string, what: string): DeviceId =>
  idField(body, name, what, asDeviceId);
export const conversationIdField = (body: Json, name: string, what: string): ConversationId =>
  idField(body, name, what, asConversationId);
