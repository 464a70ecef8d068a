/**
 * Message kinds a conversation frame carries (docs/PROTOCOL.md §7.3): text, typing indicator,
 * read receipt, attachment reference, close, and signed device lists sent in-band. The attachment
 * kind carries the one attachment reference of §8.2, with its codec: decoding a frame checks the
 * reference's rules (file name, media type, size, chunk count), so a frame that breaks them is
 * refused with InvalidContentError before it is ordered or shown (issue #9 item 7). The device lists
 * are opaque here: `signedDeviceListCodec` bytes the runtime feeds to its directory view (§4.4, §7.4).
 */
import {
  bool,
  type CodecValue,
  list,
  varBytes,
  struct,
  taggedUnion,
  u32,
  utf8String,
  type DeviceId,
  deviceIdCodec,
} from '../../wire/index.js';
import { type AttachmentRef, attachmentRefCodec } from '../attachment/index.js';
import { MAX_SIGNED_DEVICE_LIST_BYTES } from '../directory/index.js';

export const MESSAGE_LIMITS = {
  maxTextBytes: 32_768,
  maxCloseReasonBytes: 256,
  /** Signed device lists in one `deviceList` message (PROTOCOL §7.3, issue #17 item 4). */
  maxInBandLists: 2,
  /** Each is one `signedDeviceListCodec` encoding, at most the codec's own cap. */
  maxSignedListBytes: MAX_SIGNED_DEVICE_LIST_BYTES,
} as const;

export const MESSAGE_KIND_TAGS = {
  text: 1,
  typing: 2,
  readReceipt: 3,
  attachment: 4,
  close: 5,
  deviceList: 6,
} as const;

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
  /** PROTOCOL §8.2, the same encoding as a stand-alone reference (its version and suite bytes included). */
  readonly ref: AttachmentRef;
}
interface CloseBody {
  readonly reason: string;
}
interface DeviceListBody {
  /** Encoded signed device lists (newest last), for the receiver's directory view. */
  readonly lists: readonly Uint8Array[];
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
    // #9.7: the reference's rules are checked here, where the frame is decoded (InvalidContentError).
    codec: struct<AttachmentBody>({ ref: attachmentRefCodec }),
  },
  close: {
    tag: MESSAGE_KIND_TAGS.close,
    codec: struct<CloseBody>({ reason: utf8String(MESSAGE_LIMITS.maxCloseReasonBytes) }),
  },
  deviceList: {
    tag: MESSAGE_KIND_TAGS.deviceList,
    codec: struct<DeviceListBody>({
      lists: list(varBytes(MESSAGE_LIMITS.maxSignedListBytes), MESSAGE_LIMITS.maxInBandLists),
    }),
  },
});

export type MessageBody = CodecValue<typeof messageBodyCodec>;
export type MessageKind = MessageBody['kind'];
