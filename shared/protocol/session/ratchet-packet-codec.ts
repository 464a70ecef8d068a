/**
 * The per-recipient session packet (docs/PROTOCOL.md §6.4): which session a ratchet message
 * belongs to and how it is authenticated while the session is young.
 *
 *   tag 1 initial     : sessionId[16] | FirstContactHeader | RatchetMessage     (initiator, until the peer replied)
 *   tag 2 signedReply : sessionId[16] | RatchetMessage | signature[64]          (responder, until the peer ratcheted; F3)
 *   tag 3 normal      : sessionId[16] | RatchetMessage
 */
import { type Codec, fixedBytes, struct, taggedUnion, type TaggedUnionValue } from '../../wire/index.js';
import { type RatchetMessage, ratchetMessageCodec } from './ratchet-codec.js';
import { type FirstContactHeader, firstContactHeaderCodec } from './x3dh-codec.js';

const sessionIdCodec = fixedBytes(16);

interface InitialPacket {
  readonly sessionId: Uint8Array;
  readonly header: FirstContactHeader;
  readonly message: RatchetMessage;
}
interface SignedReplyPacket {
  readonly sessionId: Uint8Array;
  readonly message: RatchetMessage;
  readonly signature: Uint8Array;
}
interface NormalPacket {
  readonly sessionId: Uint8Array;
  readonly message: RatchetMessage;
}

export type SessionPacket = TaggedUnionValue<
  'kind',
  { initial: InitialPacket; signedReply: SignedReplyPacket; normal: NormalPacket }
>;

export const sessionPacketCodec: Codec<SessionPacket> = taggedUnion<
  'kind',
  { initial: InitialPacket; signedReply: SignedReplyPacket; normal: NormalPacket }
>('kind', {
  initial: {
    tag: 1,
    codec: struct<InitialPacket>({
      sessionId: sessionIdCodec,
      header: firstContactHeaderCodec,
      message: ratchetMessageCodec,
    }),
  },
  signedReply: {
    tag: 2,
    codec: struct<SignedReplyPacket>({
      sessionId: sessionIdCodec,
      message: ratchetMessageCodec,
      signature: fixedBytes(64),
    }),
  },
  normal: { tag: 3, codec: struct<NormalPacket>({ sessionId: sessionIdCodec, message: ratchetMessageCodec }) },
});
