/**
 * Message kinds a conversation frame carries (docs/PROTOCOL.md §7.3): text, typing indicator,
 * read receipt, attachment reference and close. The attachment reference is opaque here: the
 * attachments layer (§8) defines the crypto; a recipient rebuilds its `AttachmentRef` from these
 * fields (chunk count = chunkCountFor(size)).
 */
import {
  bool,
  type CodecValue,
  fixedBytes,
  struct,
  taggedUnion,
  u32,
  u64,
  utf8String,
  type DeviceId,
  deviceIdCodec,
} from '../../wire/index.js';

export const MESSAGE_LIMITS = {
  maxTextBytes: 32_768,
  maxAttachmentNameBytes: 255,
  maxMimeBytes: 127,
  maxCloseReasonBytes: 256,
} as const;

export const MESSAGE_KIND_TAGS = { text: 1, typing: 2, readReceipt: 3, attachment: 4, close: 5 } as const;

interface TextBody {
  readonly text: string;
}
interface TypingBody {
  readonly active: boolean;
}
interface ReadReceiptBody {
  /** The sender whose message was read and that message's sequence number. */
  readonly sender: DeviceId;
  readonly seq: number;
}
interface AttachmentBody {
  readonly id: Uint8Array;
  readonly key: Uint8Array;
  readonly hash: Uint8Array;
  readonly size: number;
  readonly name: string;
  readonly mime: string;
}
interface CloseBody {
  readonly reason: string;
}

export const messageBodyCodec = taggedUnion('kind', {
  text: { tag: MESSAGE_KIND_TAGS.text, codec: struct<TextBody>({ text: utf8String(MESSAGE_LIMITS.maxTextBytes) }) },
  typing: { tag: MESSAGE_KIND_TAGS.typing, codec: struct<TypingBody>({ active: bool }) },
  readReceipt: {
    tag: MESSAGE_KIND_TAGS.readReceipt,
    codec: struct<ReadReceiptBody>({ sender: deviceIdCodec, seq: u32 }),
  },
  attachment: {
    tag: MESSAGE_KIND_TAGS.attachment,
    codec: struct<AttachmentBody>({
      id: fixedBytes(16),
      key: fixedBytes(32),
      hash: fixedBytes(32),
      size: u64,
      name: utf8String(MESSAGE_LIMITS.maxAttachmentNameBytes),
      mime: utf8String(MESSAGE_LIMITS.maxMimeBytes),
    }),
  },
  close: {
    tag: MESSAGE_KIND_TAGS.close,
    codec: struct<CloseBody>({ reason: utf8String(MESSAGE_LIMITS.maxCloseReasonBytes) }),
  },
});

export type MessageBody = CodecValue<typeof messageBodyCodec>;
export type MessageKind = MessageBody['kind'];
