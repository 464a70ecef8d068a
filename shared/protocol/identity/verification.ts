/**
 * Verification codes people compare (docs/PROTOCOL.md §12; security brief §3 "Verification", F1, F22).
 * - Business fingerprint: formatFingerprint(fingerprintBytes("sealdesk/v2/business-fingerprint",
 *   AIK public key)) — the same string the embed snippet pins and the agent app shows.
 * - Safety code: 30 decimal digits (formatDigits, 6 groups of 5, in the style of Signal's safety
 *   numbers) of SHA-256("sealdesk/v2/safety-code" || 0x00 || conversationId || min(K1, K2) ||
 *   max(K1, K2)), where K1, K2 are the two parties' 32-byte public keys ordered bytewise, so both
 *   sides compute the same code whichever key they call "mine".
 */
import {
  concatBytes,
  constantTimeEqual,
  ED25519_PUBLIC_KEY_BYTES,
  fingerprintBytes,
  formatDigits,
  formatFingerprint,
  sha256,
} from '../../crypto/index.js';
import { DecodeError, InvalidKeyError, UsageError } from '../../errors/index.js';
import { type ConversationId, asConversationId } from '../../wire/index.js';
import { parseBase32Text } from './base32-text.js';
import { IDENTITY_LABELS, labelled } from './identity-labels.js';

export const BUSINESS_FINGERPRINT_BYTES = 32;
export const SAFETY_CODE_GROUPS = 6;
const PARTY_KEY_BYTES = 32;

function requireAccountKey(accountKey: Uint8Array): void {
  if (accountKey.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new InvalidKeyError(`an account key must be ${ED25519_PUBLIC_KEY_BYTES} bytes, got ${accountKey.length}`);
  }
}

/** The 32 fingerprint bytes of an account identity key (the pin, in bytes). */
export async function businessFingerprintBytes(accountKey: Uint8Array): Promise<Uint8Array> {
  requireAccountKey(accountKey);
  return fingerprintBytes(IDENTITY_LABELS.businessFingerprint, accountKey);
}

/** The business fingerprint as shown in the agent app and written into the embed snippet. */
export async function businessFingerprint(accountKey: Uint8Array): Promise<string> {
  return formatFingerprint(await businessFingerprintBytes(accountKey));
}

/**
 * Parses a snippet pin (PROTOCOL §12.1): ASCII case folded, spaces and hyphens ignored, canonical
 * base32 only (base32-text.ts). DecodeError unless it carries exactly 32 bytes.
 */
export function parseBusinessPin(text: string): Uint8Array {
  const bytes = parseBase32Text(text, 'business fingerprint');
  if (bytes.length !== BUSINESS_FINGERPRINT_BYTES) {
    throw new DecodeError(
      `a business fingerprint carries ${BUSINESS_FINGERPRINT_BYTES} bytes, the pin gives ${bytes.length}`,
    );
  }
  return bytes;
}

/** Whether `accountKey` is the key pinned by `pin` (F1). */
export async function accountKeyMatchesPin(accountKey: Uint8Array, pin: Uint8Array): Promise<boolean> {
  return constantTimeEqual(await businessFingerprintBytes(accountKey), pin);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * The per-conversation safety code. The visitor passes (its conversation key, the business AIK),
 * the agent app (the business AIK, the visitor's conversation key): the code is the same.
 */
export async function safetyCode(conversationId: ConversationId, keyA: Uint8Array, keyB: Uint8Array): Promise<string> {
  for (const key of [keyA, keyB]) {
    if (key.length !== PARTY_KEY_BYTES)
      throw new InvalidKeyError(`a safety-code key must be ${PARTY_KEY_BYTES} bytes, got ${key.length}`);
  }
  const order = compareBytes(keyA, keyB);
  if (order === 0) throw new UsageError('a safety code needs the keys of two different parties');
  const [low, high] = order < 0 ? [keyA, keyB] : [keyB, keyA];
  const digest = await sha256(
    labelled(IDENTITY_LABELS.safetyCode, concatBytes(asConversationId(conversationId), low, high)),
  );
  return formatDigits(digest, SAFETY_CODE_GROUPS);
}
