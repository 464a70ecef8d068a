/**
 * shared/wire: the deterministic binary codec and the envelope (docs/PROTOCOL.md §2).
 * The relay imports this module and nothing else of shared/, so the error classes it needs are
 * re-exported here.
 */
export { SealdeskError, DecodeError, LimitError, UsageError } from '../errors/index.js';
export { Reader } from './reader.js';
export { Writer } from './writer.js';
export { MAX_U8, MAX_U16, MAX_U32, MAX_U64 } from './integers.js';
export {
  type Codec,
  type CodecValue,
  type TaggedUnionValue,
  type Variant,
  bool,
  branded,
  decode,
  encode,
  fixedBytes,
  list,
  optional,
  refine,
  struct,
  taggedUnion,
  u8,
  u16,
  u32,
  u64,
  utf8String,
  varBytes,
} from './codec.js';
export {
  type AccountId,
  type ConversationId,
  type DeviceId,
  ID_BYTES,
  accountIdCodec,
  asAccountId,
  asConversationId,
  asDeviceId,
  conversationIdCodec,
  deviceIdCodec,
  idBytesFromHex,
  idEquals,
  idToHex,
} from './ids.js';
export {
  type Ciphertext,
  type Plaintext,
  asCiphertext,
  asPlaintext,
  ciphertextCodec,
  plaintextCodec,
} from './bytes-kinds.js';
export { SUITE_V1, SUPPORTED_SUITES, WIRE_VERSION, readVersionAndSuite, writeVersionAndSuite } from './version.js';
export { ENVELOPE_OVERHEAD_BYTES, LIMITS } from './limits.js';
export {
  type Envelope,
  type Recipient,
  RECIPIENT_TAGS,
  decodeEnvelope,
  encodeEnvelope,
  envelopeCodec,
  recipientCodec,
} from './envelope.js';
export { type EnvelopeRoute, type RouteRecipient, envelopeRoute, readEnvelopeRoute } from './envelope-route.js';
export * from './frames/index.js';
