/**
 * The relay's per-message read of an envelope (docs/PROTOCOL.md §2.6): the whole envelope is
 * validated exactly as `decodeEnvelope` validates it, but only the routing fields come out, as hex
 * (§2.4), and nothing is copied: the body is checked by its length prefix and never touched.
 *
 * Valid input takes the direct byte checks below. Anything they do not accept is handed to
 * `decodeEnvelope`, which throws the DecodeError (same message, same field path) the relay would
 * have got from the generic decoder; the property tests check that both accept the same inputs.
 */
import { type Envelope, RECIPIENT_TAGS, decodeEnvelope } from './envelope.js';
import { ID_BYTES, hexOfIdAt, idToHex } from './ids.js';
import { u32At } from './integers.js';
import { LIMITS } from './limits.js';
import { SUPPORTED_SUITES, WIRE_VERSION } from './version.js';

export type RouteRecipient = { readonly kind: 'device'; readonly deviceId: string } | { readonly kind: 'visitor' };

/** The routing fields of an envelope: lower-case hex ids (§2.4). */
export interface EnvelopeRoute {
  readonly conversationId: string;
  readonly recipient: RouteRecipient;
}

/** Offsets of the §2.6 layout: version, suite, conversationId[16], recipient tag, then deviceId[16] for a device. */
const CONVERSATION_AT = 2;
const TAG_AT = CONVERSATION_AT + ID_BYTES;
const DEVICE_AT = TAG_AT + 1;
const LENGTH_BYTES = 4;

/**
 * DecodeError on anything but exactly one well-formed v1 envelope (the same inputs and errors as
 * `decodeEnvelope`; a non-Uint8Array gets the same UsageError). Returns the routing fields only.
 */
export function readEnvelopeRoute(bytes: Uint8Array): EnvelopeRoute {
  if (!(bytes instanceof Uint8Array) || bytes.length <= TAG_AT) return generic(bytes);
  // §15: unknown version or suite.
  if (bytes[0] !== WIRE_VERSION || !SUPPORTED_SUITES.includes(bytes[1] ?? -1)) return generic(bytes);
  const tag = bytes[TAG_AT];
  // §2.3: unknown union tags (0 is never assigned).
  const lengthAt =
    tag === RECIPIENT_TAGS.device ? DEVICE_AT + ID_BYTES : tag === RECIPIENT_TAGS.visitor ? DEVICE_AT : -1;
  if (lengthAt < 0 || bytes.length < lengthAt + LENGTH_BYTES) return generic(bytes);
  const bodyLength = u32At(bytes, lengthAt);
  // §14: 1 ≤ body length ≤ maxEnvelopeBodyBytes; §2.7: the body ends the input exactly (no trailing bytes).
  if (
    bodyLength === 0 ||
    bodyLength > LIMITS.maxEnvelopeBodyBytes ||
    bytes.length !== lengthAt + LENGTH_BYTES + bodyLength
  ) {
    return generic(bytes);
  }
  const conversationId = hexOfIdAt(bytes, CONVERSATION_AT);
  return tag === RECIPIENT_TAGS.device
    ? { conversationId, recipient: { kind: 'device', deviceId: hexOfIdAt(bytes, DEVICE_AT) } }
    : { conversationId, recipient: { kind: 'visitor' } };
}

/** The routing fields of an already decoded envelope. */
export function envelopeRoute(envelope: Envelope): EnvelopeRoute {
  const conversationId = idToHex(envelope.conversationId);
  const r = envelope.recipient;
  return r.kind === 'device'
    ? { conversationId, recipient: { kind: 'device', deviceId: idToHex(r.deviceId) } }
    : { conversationId, recipient: { kind: 'visitor' } };
}

/** Input the direct checks refused: the generic decoder throws its error (or, were it to accept, gives the same fields). */
function generic(bytes: Uint8Array): EnvelopeRoute {
  return envelopeRoute(decodeEnvelope(bytes));
}
