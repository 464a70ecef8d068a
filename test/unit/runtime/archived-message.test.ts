/**
 * The plaintext of a message's history record (PROTOCOL §9.6, shared/runtime/agent-archive-record.ts).
 * An attachment's record carries its reference, base64url of the §8.2 encoding, so a device linked
 * later can open the file. The reader takes what is shown from the reference that opens it: a
 * record whose reference breaks §8.2, describes another file than the one shown, sits on a message
 * that is not an attachment, or whose attachment names another message, is a DecodeError (the
 * archive raises `history-record-refused` and shows nothing of it). Records written before
 * references were archived still read, name only.
 */
import { describe, expect, it } from 'vitest';
import { toBase64Url, toHex } from '../../../shared/crypto/index.js';
import { DecodeError } from '../../../shared/errors/index.js';
import { type AttachmentRef, attachmentRefCodec } from '../../../shared/protocol/index.js';
import {
  decodeArchivedMessage,
  encodeArchivedMessage,
  historyRecordId,
} from '../../../shared/runtime/agent-archive-record.js';
import { attachmentHandle } from '../../../shared/runtime/conversation-record.js';
import type { ChatMessage } from '../../../shared/runtime/index.js';
import { encode } from '../../../shared/wire/index.js';

const CONVERSATION = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const CONVERSATION_HEX = toHex(CONVERSATION);
const MESSAGE_ID = `${'ab'.repeat(16)}:3`;
const RECORD_ID = historyRecordId(CONVERSATION, MESSAGE_ID);

const REF: AttachmentRef = {
  attachmentId: Uint8Array.from({ length: 16 }, (_, i) => 200 - i),
  fileKey: Uint8Array.from({ length: 32 }, (_, i) => i * 7),
  size: 70_000,
  chunkCount: 2,
  firstChunkHash: Uint8Array.from({ length: 32 }, (_, i) => 255 - i),
  mediaType: 'image/png',
  fileName: 'label.png',
};

function messageWith(body: ChatMessage['body']): ChatMessage {
  return {
    id: MESSAGE_ID,
    conversationId: CONVERSATION_HEX,
    from: 'visitor',
    senderDeviceId: 'ab'.repeat(16),
    sentAt: 1_700_000_000_000,
    receivedAt: 1_700_000_000_100,
    body,
  };
}

const PICTURE = messageWith({ kind: 'attachment', attachment: attachmentHandle(CONVERSATION_HEX, MESSAGE_ID, REF) });

/** The record's JSON with `change` applied, as a device that wrote something else would have sealed it. */
function rewritten(change: (json: Record<string, unknown>) => void): Uint8Array {
  const json = JSON.parse(new TextDecoder().decode(encodeArchivedMessage({ message: PICTURE, ref: REF }))) as Record<
    string,
    unknown
  >;
  change(json);
  return new TextEncoder().encode(JSON.stringify(json));
}

describe('§9.6: an archived attachment carries the reference that opens it', () => {
  it('reads back the message and its reference', () => {
    const read = decodeArchivedMessage(encodeArchivedMessage({ message: PICTURE, ref: REF }), RECORD_ID);
    expect(read.message).toEqual(PICTURE);
    expect(read.ref).toEqual(REF);
  });

  it('reads a record written before references were archived: the attachment by name only', () => {
    const read = decodeArchivedMessage(encodeArchivedMessage({ message: PICTURE }), RECORD_ID);
    expect(read.message).toEqual(PICTURE);
    expect(read.ref).toBeUndefined();
  });

  it('gives the handle the conversation of the record, whatever the record says', () => {
    const read = decodeArchivedMessage(
      rewritten((json) => {
        const message = json['message'] as { body: { attachment: Record<string, unknown> } };
        message.body.attachment['conversationId'] = 'ff'.repeat(16);
      }),
      RECORD_ID,
    );
    expect(read.message.body.kind === 'attachment' && read.message.body.attachment.conversationId).toBe(
      CONVERSATION_HEX,
    );
  });

  it('refuses a reference that describes another file than the one shown', () => {
    for (const other of [
      { ...REF, fileName: 'invoice.pdf' },
      { ...REF, mediaType: 'application/pdf' },
      { ...REF, size: 69_999 },
    ]) {
      const bytes = rewritten((json) => {
        json['attachmentRef'] = toBase64Url(encode(attachmentRefCodec, other));
      });
      expect(() => decodeArchivedMessage(bytes, RECORD_ID)).toThrow(DecodeError);
    }
  });

  it('refuses a reference that breaks §8.2, is not base64url, or sits on a text message', () => {
    const broken = encode(attachmentRefCodec, REF);
    broken[0] = 9; // an unknown version
    const text = messageWith({ kind: 'text', text: 'hello' });
    for (const bytes of [
      rewritten((json) => {
        json['attachmentRef'] = toBase64Url(broken);
      }),
      rewritten((json) => {
        json['attachmentRef'] = '*not base64*';
      }),
      rewritten((json) => {
        json['attachmentRef'] = 42;
      }),
      new TextEncoder().encode(
        JSON.stringify({
          conversationId: CONVERSATION_HEX,
          message: text,
          attachmentRef: toBase64Url(encode(attachmentRefCodec, REF)),
        }),
      ),
    ])
      expect(() => decodeArchivedMessage(bytes, RECORD_ID)).toThrow(DecodeError);
  });

  it('refuses an attachment that names another message than its own', () => {
    const bytes = rewritten((json) => {
      const message = json['message'] as { body: { attachment: Record<string, unknown> } };
      message.body.attachment['messageId'] = `${'ab'.repeat(16)}:4`;
    });
    expect(() => decodeArchivedMessage(bytes, RECORD_ID)).toThrow(DecodeError);
  });
});
