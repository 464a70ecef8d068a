/**
 * One conversation message body is encrypted ONCE under a fresh content key (docs/PROTOCOL.md
 * §7.4; security brief §3 "client fan-out"), and the content key travels through each
 * recipient's ratchet together with the hash of the body ciphertext, so a relay cannot pair a
 * recipient's key with another body.
 *
 *   key, iv  = HKDF-SHA-256(ikm = contentKey, salt = 32 zero bytes, info = "sealdesk/v2/content-key", 44)
 *   aad      = "sealdesk/v2/content-aad" || 0x00 || version | suite | conversationId | senderId
 *   body     = AES-256-GCM(key, iv, pad(frame), aad)
 *   bodyHash = SHA-256("sealdesk/v2/body-hash" || 0x00 || body)
 *
 * The content key is 32 random bytes used for one message, so the derived IV is never reused (F15).
 */
import { constantTimeEqual, aesGcmDecrypt, aesGcmEncrypt, sha256, hkdfSha256 } from '../../crypto/index.js';
import { DecryptError } from '../../errors/index.js';
import {
  encode,
  struct,
  type ConversationId,
  conversationIdCodec,
  type DeviceId,
  deviceIdCodec,
} from '../../wire/index.js';
import { labelInfo, SESSION_LABELS, sessionLabelled } from '../session/index.js';
import { type ProtocolEnv, versioned } from '../core/index.js';
import { pad } from './padding.js';

const ZERO_SALT = new Uint8Array(32);

const contentAadCodec = versioned(
  struct<{ conversationId: ConversationId; senderId: DeviceId }>({
    conversationId: conversationIdCodec,
    senderId: deviceIdCodec,
  }),
);

function contentAad(conversationId: ConversationId, senderId: DeviceId): Uint8Array {
  return sessionLabelled(SESSION_LABELS.contentAad, encode(contentAadCodec, { conversationId, senderId }));
}

async function contentCipher(contentKey: Uint8Array): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  const out = await hkdfSha256(contentKey, ZERO_SALT, labelInfo(SESSION_LABELS.contentKey), 44);
  return { key: out.slice(0, 32), iv: out.slice(32) };
}

export async function bodyHashOf(body: Uint8Array): Promise<Uint8Array> {
  return sha256(sessionLabelled(SESSION_LABELS.bodyHash, body));
}

export interface SealedBody {
  readonly contentKey: Uint8Array;
  readonly body: Uint8Array;
  readonly bodyHash: Uint8Array;
}

/**
 * Pads and encrypts an encoded frame under a fresh content key from env.rng. The key is drawn
 * before the first await (conversation-send.ts runs this beside the frame hash and relies on it).
 */
export async function sealBody(
  frame: Uint8Array,
  conversationId: ConversationId,
  senderId: DeviceId,
  env: ProtocolEnv,
): Promise<SealedBody> {
  const contentKey = env.rng(32);
  const { key, iv } = await contentCipher(contentKey);
  const body = await aesGcmEncrypt(key, iv, pad(frame), contentAad(conversationId, senderId));
  return { contentKey, body, bodyHash: await bodyHashOf(body) };
}

/**
 * Checks the body against the hash from the key packet and decrypts it (DecryptError); returns the
 * padded frame, which only its sender can have written (the caller unpads and parses it).
 */
export async function openBody(
  body: Uint8Array,
  contentKey: Uint8Array,
  expectedHash: Uint8Array,
  conversationId: ConversationId,
  senderId: DeviceId,
): Promise<Uint8Array> {
  if (!constantTimeEqual(await bodyHashOf(body), expectedHash))
    throw new DecryptError('message body does not match the hash in its key packet');
  const { key, iv } = await contentCipher(contentKey);
  return aesGcmDecrypt(key, iv, body, contentAad(conversationId, senderId));
}

/** Hash of an encoded frame (per-sender hash chain and acks): SHA-256("sealdesk/v2/message-hash" || 0x00 || frame). */
export async function frameHashOf(frame: Uint8Array): Promise<Uint8Array> {
  return sha256(sessionLabelled(SESSION_LABELS.messageHash, frame));
}
