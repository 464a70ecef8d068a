/**
 * The typed-code form of the linking payload (docs/PROTOCOL.md §10.2), for when no camera is at
 * hand: the 82 payload bytes in RFC 4648 §6 base32 (lowercase, unpadded), groups of 4 characters
 * separated by spaces. Parsing ignores spaces, hyphens and case, then decodes the payload
 * strictly (DecodeError for anything else).
 */
import { fromBase32, toBase32 } from '../../crypto/index.js';
import { decode } from '../../wire/index.js';
import { linkPayloadCodec } from './linking-codec.js';

export function linkPayloadToText(payload: Uint8Array): string {
  decode(linkPayloadCodec, payload, 'linkPayload');
  return (toBase32(payload).match(/.{1,4}/g) ?? []).join(' ');
}

export function linkPayloadFromText(text: string): Uint8Array {
  const bytes = fromBase32(text.replace(/[\s-]+/g, '').toLowerCase());
  decode(linkPayloadCodec, bytes, 'linkPayload');
  return bytes;
}
