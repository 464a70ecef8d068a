/**
 * The body of an envelope (docs/PROTOCOL.md §2.6) read by its fixed offsets: version, suite,
 * recipient tag, body length. Every length must add up exactly; anything else returns undefined
 * and the caller falls back to the strict decodeEnvelope of shared/wire. The load generator reads
 * every delivered body this way and checks it against the strict decoder every 64th delivery:
 * a full decode per delivery would cost the generator about what the relay spends per message.
 */
import { RECIPIENT_TAGS, SUITE_V1, WIRE_VERSION } from '../../shared/wire/index.js';

const TAG_AT = 2 + 16;

export function envelopeBodyFast(envelope: Uint8Array): Uint8Array | undefined {
  if (envelope.length < TAG_AT + 1 + 4 || envelope[0] !== WIRE_VERSION || envelope[1] !== SUITE_V1) return undefined;
  const tag = envelope[TAG_AT];
  const lengthAt = tag === RECIPIENT_TAGS.device ? TAG_AT + 1 + 16 : tag === RECIPIENT_TAGS.visitor ? TAG_AT + 1 : -1;
  if (lengthAt < 0 || envelope.length < lengthAt + 4) return undefined;
  const bodyLength = new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength).getUint32(lengthAt);
  if (bodyLength === 0 || lengthAt + 4 + bodyLength !== envelope.length) return undefined;
  return envelope.subarray(lengthAt + 4);
}
