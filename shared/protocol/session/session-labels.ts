/**
 * Domain-separation labels of first contact, the Double Ratchet and the conversation layer
 * (docs/PROTOCOL.md §13). Same convention as identity/identity-labels.ts: every signature or hash input is
 * `label || 0x00 || bytes`, every HKDF `info` is the label's UTF-8 bytes (optionally followed by
 * `0x00 || transcript`); no two uses share a label.
 */
import { utf8Encode } from '../../crypto/index.js';
import { labelled } from '../core/index.js';

export const SESSION_LABELS = {
  /** HKDF info prefix of the X3DH shared secret SK (X3DH §2.2, "info"); the transcript follows. */
  x3dh: 'sealdesk/v2/x3dh',
  /** Prefix of the X3DH associated data AD (X3DH §3.3, AD = Encode(IKA) || Encode(IKB) || …). */
  x3dhAd: 'sealdesk/v2/x3dh-ad',
  /** Session id: SHA-256 over the initiator's ephemeral key, first 16 bytes. */
  sessionId: 'sealdesk/v2/session-id',
  /** Conversation id: SHA-256 over the visitor's identity key IKA, first 16 bytes (issue #9 item 3). */
  conversationId: 'sealdesk/v2/conversation-id',
  /** Visitor id: SHA-256 over the visitor's identity key IKA, first 16 bytes (issue #9 item 3). */
  visitorId: 'sealdesk/v2/visitor-id',
  /** Agent device signature over its first reply in a session (security brief F3). */
  firstReply: 'sealdesk/v2/first-reply',
  /** Double Ratchet KDF_RK (HKDF info). */
  ratchetRoot: 'sealdesk/v2/ratchet-root',
  /** Double Ratchet message key -> AES-256-GCM key and IV (HKDF info). */
  ratchetMessage: 'sealdesk/v2/ratchet-message',
  /** Content key -> AES-256-GCM key and IV of one conversation message body (HKDF info). */
  contentKey: 'sealdesk/v2/content-key',
  /** Associated data prefix of a conversation message body. */
  contentAad: 'sealdesk/v2/content-aad',
  /** Hash of a conversation frame (per-sender hash chain, acks). */
  messageHash: 'sealdesk/v2/message-hash',
  /** Hash of a body ciphertext, carried in every per-recipient key packet. */
  bodyHash: 'sealdesk/v2/body-hash',
} as const;

export type SessionLabel = (typeof SESSION_LABELS)[keyof typeof SESSION_LABELS];

/** `label || 0x00 || bytes`. */
export const sessionLabelled: (label: SessionLabel, bytes: Uint8Array) => Uint8Array = labelled;

/** HKDF info bytes of a label with no transcript. */
export function labelInfo(label: SessionLabel): Uint8Array {
  return utf8Encode(label);
}
