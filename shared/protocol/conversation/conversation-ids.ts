/**
 * The visitor's identity is bound by the conversation id, never pinned by first arrival
 * (docs/PROTOCOL.md §5.1, §5.4; issue #9 item 3): both ids are derived from the visitor's
 * per-conversation X25519 identity key IKA, so every device of the account can check a first
 * contact's IKA against the conversation it names, whichever packet created its own state.
 *
 *   conversationId = SHA-256("sealdesk/v2/conversation-id" || 0x00 || IKA)[0..16]
 *   visitorId      = SHA-256("sealdesk/v2/visitor-id" || 0x00 || IKA)[0..16]
 */
import { sha256 } from '../../crypto/index.js';
import { asConversationId, asDeviceId, ID_BYTES, type ConversationId, type DeviceId } from '../../wire/index.js';
import { SESSION_LABELS, sessionLabelled } from '../session/index.js';

export async function conversationIdOf(visitorIdentityKey: Uint8Array): Promise<ConversationId> {
  return asConversationId(
    (await sha256(sessionLabelled(SESSION_LABELS.conversationId, visitorIdentityKey))).slice(0, ID_BYTES),
  );
}

export async function visitorIdOf(visitorIdentityKey: Uint8Array): Promise<DeviceId> {
  return asDeviceId((await sha256(sessionLabelled(SESSION_LABELS.visitorId, visitorIdentityKey))).slice(0, ID_BYTES));
}
