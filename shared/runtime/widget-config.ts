/**
 * The signed widget configuration (issue #11 item 3; docs/ARCHITECTURE.md "The runtime API"):
 *
 *   blob      = signature[64] || json           json = UTF-8 JSON of a WidgetConfig
 *   signature = Ed25519(AIK, "sealdesk/v2/widget-config" || 0x00 || accountId[16] || json)
 *
 * Signed by the account identity key, so the visitor's browser checks it against the key the
 * snippet pin verified (the relay cannot change the business name or greeting). The account id
 * is bound in, so one business's configuration cannot be served for another.
 */
import {
  ED25519_SIGNATURE_BYTES,
  concatBytes,
  ed25519Sign,
  ed25519Verify,
  utf8Decode,
  utf8Encode,
} from '../crypto/index.js';
import type { AccountIdentity } from '../protocol/index.js';
import { SignatureError } from '../errors/index.js';
import { type AccountId, DecodeError } from '../wire/index.js';
import type { WidgetConfig } from './api-visitor.js';

const LABEL = 'sealdesk/v2/widget-config';
const MAX_JSON_BYTES = 16 * 1024;

function signedBytes(accountId: AccountId, json: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(LABEL), new Uint8Array([0]), accountId, json);
}

const COLOUR = /^#[0-9a-fA-F]{6}$/;

function isString(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}

function isCount(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

/** A WidgetConfig from untrusted JSON: every field checked, unknown fields dropped. */
export function checkWidgetConfig(value: unknown): WidgetConfig {
  const bad = (field: string): never => {
    throw new DecodeError(`widget configuration: "${field}" is missing or invalid`);
  };
  if (typeof value !== 'object' || value === null) return bad('(root)');
  const v = value as Readonly<Record<string, unknown>>;
  if (!isString(v['businessName'], 100) || v['businessName'] === '') bad('businessName');
  if (!isString(v['greeting'], 500)) bad('greeting');
  if (!isString(v['colour'], 7) || !COLOUR.test(v['colour'])) bad('colour');
  if (v['position'] !== 'bottom-right' && v['position'] !== 'bottom-left') bad('position');
  if (!isString(v['language'], 35) || v['language'] === '') bad('language');
  if (!isCount(v['expectedReplyMinutes'], 10_080)) bad('expectedReplyMinutes');
  if (!isString(v['timeZone'], 64)) bad('timeZone');
  const hours = v['businessHours'];
  if (!Array.isArray(hours) || hours.length > 70) return bad('businessHours');
  const businessHours = hours.map((h: unknown) => {
    if (typeof h !== 'object' || h === null) return bad('businessHours');
    const e = h as Readonly<Record<string, unknown>>;
    if (!isCount(e['day'], 6) || !isCount(e['from'], 1440) || !isCount(e['to'], 1440)) return bad('businessHours');
    return { day: e['day'], from: e['from'], to: e['to'] };
  });
  const question = v['prechatQuestion'];
  if (question !== undefined && !isString(question, 300)) bad('prechatQuestion');
  return {
    businessName: v['businessName'] as string,
    greeting: v['greeting'] as string,
    colour: v['colour'] as string,
    position: v['position'] as WidgetConfig['position'],
    language: v['language'] as string,
    expectedReplyMinutes: v['expectedReplyMinutes'] as number,
    businessHours,
    timeZone: v['timeZone'] as string,
    ...(typeof question === 'string' ? { prechatQuestion: question } : {}),
  };
}

export async function signWidgetConfig(identity: AccountIdentity, config: WidgetConfig): Promise<Uint8Array> {
  const json = utf8Encode(JSON.stringify(checkWidgetConfig(config)));
  if (json.length > MAX_JSON_BYTES) throw new DecodeError('the widget configuration is too large');
  const signature = await ed25519Sign(identity.signing.privateKey, signedBytes(identity.accountId, json));
  return concatBytes(signature, json);
}

/** The configuration, after its signature verified under `accountKey` (the pinned AIK). */
export async function openWidgetConfig(
  blob: Uint8Array,
  accountId: AccountId,
  accountKey: Uint8Array,
): Promise<WidgetConfig> {
  if (blob.length <= ED25519_SIGNATURE_BYTES || blob.length > ED25519_SIGNATURE_BYTES + MAX_JSON_BYTES) {
    throw new DecodeError('the widget configuration has the wrong size');
  }
  const signature = blob.subarray(0, ED25519_SIGNATURE_BYTES);
  const json = blob.subarray(ED25519_SIGNATURE_BYTES);
  if (!(await ed25519Verify(accountKey, signedBytes(accountId, json), signature))) {
    throw new SignatureError('the widget configuration is not signed by the pinned business key');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Decode(json));
  } catch (error) {
    throw new DecodeError('the widget configuration is not JSON', { cause: error });
  }
  return checkWidgetConfig(parsed);
}

/** What the widget shows when the business has published no configuration yet. */
export function defaultWidgetConfig(): WidgetConfig {
  return {
    businessName: 'Chat',
    greeting: '',
    colour: '#1f6feb',
    position: 'bottom-right',
    language: 'en',
    expectedReplyMinutes: 0,
    businessHours: [],
    timeZone: 'UTC',
  };
}
