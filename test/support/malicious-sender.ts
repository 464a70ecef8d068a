/**
 * What a malicious participant can send (issue #9 item 7): a visitor running modified code holds
 * genuine session keys, so it can encrypt any frame bytes at all, and only the receiver's decoding
 * and checks stand between those bytes and the screen. Built from the layouts of
 * docs/PROTOCOL.md §7.2, §7.4 and §8.2, as a second implementation would write them, and not from
 * sendMessage, whose writer refuses such frames. The sender's saved state is left as it was: its
 * next honest message reuses the refused one's sequence number and ratchet step.
 */
import { aesGcmEncrypt, concatBytes, hkdfSha256, sha256 } from '../../shared/crypto/index.js';
import {
  type AttachmentRef,
  type ConversationState,
  conversationPacketCodec,
  labelInfo,
  pad,
  sealForPeer,
  SESSION_LABELS,
  sessionLabelled,
  versioned,
} from '../../shared/protocol/index.js';
import {
  asCiphertext,
  type Codec,
  type ConversationId,
  conversationIdCodec,
  type DeviceId,
  deviceIdCodec,
  encode,
  encodeEnvelope,
  fixedBytes,
  optional,
  struct,
  u32,
  u64,
  utf8String,
} from '../../shared/wire/index.js';
import type { WorldConversation } from './world-conversation.js';

/** The byte layout of PROTOCOL §8.2 without its rules (the wire caps still hold): values an honest writer refuses. */
export const laxAttachmentRefCodec: Codec<AttachmentRef> = versioned(
  struct<AttachmentRef>({
    attachmentId: fixedBytes(16),
    fileKey: fixedBytes(32),
    size: u64,
    chunkCount: u32,
    firstChunkHash: fixedBytes(32),
    mediaType: utf8String(127),
    fileName: optional(utf8String(128)),
  }),
);

/** PROTOCOL §7.3: tag 4 then the reference. */
export function attachmentBodyBytes(ref: AttachmentRef): Uint8Array {
  return concatBytes(new Uint8Array([4]), encode(laxAttachmentRefCodec, ref));
}

interface FrameHeader {
  readonly conversationId: ConversationId;
  readonly senderId: DeviceId;
  readonly seq: number;
  readonly prevHash: Uint8Array;
  readonly sentAt: number;
  readonly deviceListVersion: number;
  readonly deviceListHash: Uint8Array;
  readonly prevListVersion: number;
  /** The count of the ack list: 0, an empty list. */
  readonly ackCount: number;
}

/** PROTOCOL §7.2, §15: a frame opens with its own layout version (3) and the suite (1). */
const FRAME_VERSION_AND_SUITE = Uint8Array.of(3, 1);

// PROTOCOL §7.2, after the version and suite, up to the body.
const frameHeaderCodec: Codec<FrameHeader> = struct<FrameHeader>({
  conversationId: conversationIdCodec,
  senderId: deviceIdCodec,
  seq: u32,
  prevHash: fixedBytes(32),
  sentAt: u64,
  deviceListVersion: u32,
  deviceListHash: fixedBytes(32),
  prevListVersion: u32,
  ackCount: u32,
});

interface ContentAad {
  readonly conversationId: ConversationId;
  readonly senderId: DeviceId;
}

const contentAadCodec: Codec<ContentAad> = versioned(
  struct<ContentAad>({ conversationId: conversationIdCodec, senderId: deviceIdCodec }),
);

const keyPacketCodec = versioned(
  struct<{ contentKey: Uint8Array; bodyHash: Uint8Array }>({ contentKey: fixedBytes(32), bodyHash: fixedBytes(32) }),
);

/** PROTOCOL §7.4: the frame padded and encrypted once under a fresh content key. */
async function sealFrame(
  state: ConversationState,
  frame: Uint8Array,
  contentKey: Uint8Array,
): Promise<{ body: Uint8Array; keyPacket: Uint8Array }> {
  const okm = await hkdfSha256(contentKey, new Uint8Array(32), labelInfo(SESSION_LABELS.contentKey), 44);
  const aad = sessionLabelled(
    SESSION_LABELS.contentAad,
    encode(contentAadCodec, { conversationId: state.conversationId, senderId: state.selfId }),
  );
  const body = await aesGcmEncrypt(okm.slice(0, 32), okm.slice(32), pad(frame), aad);
  const bodyHash = await sha256(sessionLabelled(SESSION_LABELS.bodyHash, body));
  return { body, keyPacket: encode(keyPacketCodec, { contentKey, bodyHash }) };
}

/**
 * The visitor of `convo` sends a frame whose body is `body` (tag and fields, unchecked) to every
 * device it has a session with, through the relay. Its saved state does not change.
 */
export async function visitorSendsRawBody(convo: WorldConversation, body: Uint8Array): Promise<void> {
  const state = convo.visitor.state;
  if (state === undefined) throw new RangeError('the visitor has no conversation state');
  const header = concatBytes(
    FRAME_VERSION_AND_SUITE,
    encode(frameHeaderCodec, {
      conversationId: state.conversationId,
      senderId: state.selfId,
      seq: state.nextSendSeq,
      prevHash: state.lastSentHash,
      sentAt: convo.visitor.env.now(),
      deviceListVersion: state.deviceList.version,
      deviceListHash: state.deviceList.hash,
      prevListVersion: state.lastSentListVersion,
      ackCount: 0,
    }),
  );
  const sealed = await sealFrame(state, concatBytes(header, body), convo.visitor.env.rng(32));
  for (const session of state.sessions) {
    const { packet } = await sealForPeer(session, sealed.keyPacket, undefined);
    const bytes = encode(conversationPacketCodec, {
      conversationId: state.conversationId,
      senderId: state.selfId,
      recipientId: session.peerId,
      session: packet,
      body: sealed.body,
    });
    convo.world.relay.post(
      encodeEnvelope({
        conversationId: state.conversationId,
        recipient: { kind: 'device', deviceId: session.peerId },
        body: asCiphertext(bytes),
      }),
    );
  }
}
