/**
 * How a signed change request (PROTOCOL §4.5) travels to the owner's devices: in the relay's
 * ordinary store-and-forward queues, one envelope per owner device, in a conversation of its own
 * whose id is bound to the request's bytes:
 *
 *   channelId = SHA-256("sealdesk/v2/change-request-channel" || 0x00 || SignedListChangeRequest)[0..16]
 *
 * The requester opens that conversation (POST /v1/accounts/:a/conversations) so the relay routes it,
 * and sends the signed request as the envelope body (not encrypted: it holds public keys and ids the
 * next list publishes anyway). A receiver knows a request from a conversation packet by the id
 * alone (a packet whose body hashes to its conversation id would be a SHA-256 preimage), so nothing
 * is guessed from the body. The relay can drop, delay or repeat such an envelope; it cannot alter
 * one (the id would no longer match, and the requester's signature is checked under the signed list).
 */
import { ED25519_SIGNATURE_BYTES, concatBytes, sha256, utf8Encode } from '../crypto/index.js';
import { MAX_REQUEST_BODY_BYTES } from '../protocol/index.js';
import type { OutboxDraft } from '../storage/index.js';
import {
  type ConversationId,
  type DeviceId,
  type Envelope,
  asCiphertext,
  asConversationId,
  encodeEnvelope,
  idEquals,
} from '../wire/index.js';

const CHANNEL_LABEL = utf8Encode('sealdesk/v2/change-request-channel');
const ID_BYTES = 16;
/** version, suite, varBytes(u32 length, body ≤ 512), signature: the largest encoded request. */
const MAX_SIGNED_REQUEST_BYTES = 2 + 4 + MAX_REQUEST_BODY_BYTES + ED25519_SIGNATURE_BYTES;

/** The conversation id a request travels in (and the id the owner's UI names it by). */
export async function changeRequestChannel(signedRequest: Uint8Array): Promise<ConversationId> {
  const digest = await sha256(concatBytes(CHANNEL_LABEL, new Uint8Array([0]), signedRequest));
  return asConversationId(digest.slice(0, ID_BYTES));
}

/** True when the envelope carries a change request (its conversation id is its body's channel id). */
export async function isChangeRequestEnvelope(envelope: Envelope): Promise<boolean> {
  if (envelope.body.length > MAX_SIGNED_REQUEST_BYTES) return false;
  return idEquals(envelope.conversationId, await changeRequestChannel(envelope.body));
}

/**
 * One envelope per recipient, each to be saved in the outbox before it is sent: a signed request to
 * the owner devices, or an owner's signed denial back to the requester (§4.5).
 */
export function changeRequestEnvelopes(
  channel: ConversationId,
  signed: Uint8Array,
  recipients: readonly DeviceId[],
): OutboxDraft[] {
  return recipients.map((deviceId) => ({
    envelope: encodeEnvelope({
      conversationId: channel,
      recipient: { kind: 'device', deviceId },
      body: asCiphertext(signed),
    }),
  }));
}
