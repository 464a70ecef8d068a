/**
 * The plaintext of a history record of messages (PROTOCOL §9.6, shared/runtime/agent-archive-record.ts).
 * A record carries up to 64 messages of one conversation, its id names the conversation and the
 * first message; a record of the first format (one message) still reads.
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
  type ArchivableMessage,
  MESSAGES_PER_RECORD,
  archiveBatches,
  decodeArchivedMessages,
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

/** The plaintext of the one record the writer makes of `items`. */
function plaintextOf(items: readonly ArchivableMessage[]): Uint8Array {
  const batches = archiveBatches(items);
  expect(batches).toHaveLength(1);
  return batches[0]?.plaintext ?? new Uint8Array();
}

/** The one message read from a record, whichever format. */
function readOne(plaintext: Uint8Array, recordId = RECORD_ID): ArchivableMessage {
  const read = decodeArchivedMessages(plaintext, recordId);
  expect(read).toHaveLength(1);
  return read[0] ?? { message: PICTURE };
}

type Entry = Record<string, unknown>;

/** The picture's record with `change` applied to its one entry, as a device that wrote something else would have sealed it. */
function rewritten(change: (entry: Entry) => void): Uint8Array {
  const json = JSON.parse(new TextDecoder().decode(plaintextOf([{ message: PICTURE, ref: REF }]))) as {
    messages: Entry[];
  };
  const entry = json.messages[0];
  if (entry !== undefined) change(entry);
  return new TextEncoder().encode(JSON.stringify(json));
}

function text(id: string, words: string, conversationId = CONVERSATION_HEX): ChatMessage {
  return { ...messageWith({ kind: 'text', text: words }), id, conversationId };
}

const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('§9.6: an archived attachment carries the reference that opens it', () => {
  it('reads back the message and its reference', () => {
    const read = readOne(plaintextOf([{ message: PICTURE, ref: REF }]));
    expect(read.message).toEqual(PICTURE);
    expect(read.ref).toEqual(REF);
  });

  it('reads a record written before references were archived: the attachment by name only', () => {
    const read = readOne(plaintextOf([{ message: PICTURE }]));
    expect(read.message).toEqual(PICTURE);
    expect(read.ref).toBeUndefined();
  });

  it('gives the handle the conversation of the record, whatever the record says', () => {
    const read = readOne(
      rewritten((json) => {
        const message = json['message'] as { body: { attachment: Record<string, unknown> } };
        message.body.attachment['conversationId'] = 'ff'.repeat(16);
      }),
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
      expect(() => decodeArchivedMessages(bytes, RECORD_ID)).toThrow(DecodeError);
    }
  });

  it('refuses a reference that breaks §8.2, is not base64url, or sits on a text message', () => {
    const broken = encode(attachmentRefCodec, REF);
    broken[0] = 9; // an unknown version
    const text = messageWith({ kind: 'text', text: 'hello' });
    for (const record of [
      rewritten((json) => {
        json['attachmentRef'] = toBase64Url(broken);
      }),
      rewritten((json) => {
        json['attachmentRef'] = '*not base64*';
      }),
      rewritten((json) => {
        json['attachmentRef'] = 42;
      }),
      bytes({
        conversationId: CONVERSATION_HEX,
        messages: [{ message: text, attachmentRef: toBase64Url(encode(attachmentRefCodec, REF)) }],
      }),
    ])
      expect(() => decodeArchivedMessages(record, RECORD_ID)).toThrow(DecodeError);
  });

  it('refuses an attachment that names another message than its own', () => {
    const record = rewritten((json) => {
      const message = json['message'] as { body: { attachment: Record<string, unknown> } };
      message.body.attachment['messageId'] = `${'ab'.repeat(16)}:4`;
    });
    expect(() => decodeArchivedMessages(record, RECORD_ID)).toThrow(DecodeError);
  });
});

describe('§9.6: one record carries many messages of one conversation', () => {
  const id = (seq: number): string => `${'ab'.repeat(16)}:${seq}`;

  it('reads a record of the first format: one message at the top', () => {
    const ref = toBase64Url(encode(attachmentRefCodec, REF));
    const read = readOne(bytes({ conversationId: CONVERSATION_HEX, message: PICTURE, attachmentRef: ref }));
    expect(read).toEqual({ message: PICTURE, ref: REF });
  });

  it('writes one record per conversation, in order, the first message naming it; reads them all back', () => {
    const other = 'cd'.repeat(16);
    const items = [text(id(3), 'one'), text(id(4), 'elsewhere', other), text(id(5), 'two'), text(id(6), 'three')].map(
      (message) => ({ message }),
    );
    const batches = archiveBatches(items);
    expect(batches.map((b) => [b.conversationId, b.messages.map((m) => m.message.id)])).toEqual([
      [CONVERSATION_HEX, [id(3), id(5), id(6)]],
      [other, [id(4)]],
    ]);
    const [mine] = batches;
    const read = decodeArchivedMessages(mine?.plaintext ?? new Uint8Array(), historyRecordId(CONVERSATION, id(3)));
    expect(read.map((r) => r.message.body)).toEqual(['one', 'two', 'three'].map((t) => ({ kind: 'text', text: t })));
  });

  it('starts a new record after 64 messages or about 48 KiB of plaintext', () => {
    const many = Array.from({ length: 130 }, (_, i) => ({ message: text(id(i), `message ${i}`) }));
    expect(archiveBatches(many).map((b) => b.messages.length)).toEqual([MESSAGES_PER_RECORD, MESSAGES_PER_RECORD, 2]);
    const long = Array.from({ length: 5 }, (_, i) => ({ message: text(id(i), 'x'.repeat(20_000)) }));
    const sized = archiveBatches(long);
    expect(sized.map((b) => b.messages.length)).toEqual([2, 2, 1]);
    for (const b of sized) expect(b.plaintext.length).toBeLessThan(48 * 1024 + 100);
  });

  it('refuses a record whose messages do not belong to its id: another first message, another conversation, a message twice, none or too many', () => {
    const record = (messages: readonly ChatMessage[]): Uint8Array =>
      bytes({ conversationId: CONVERSATION_HEX, messages: messages.map((message) => ({ message })) });
    const a = text(id(3), 'a');
    const b = text(id(4), 'b');
    const recordId = historyRecordId(CONVERSATION, id(3));
    expect(decodeArchivedMessages(record([a, b]), recordId)).toHaveLength(2);
    const refused = [
      record([b, a]), // the record id names another first message
      record([a, text(id(4), 'b', 'cd'.repeat(16))]), // a message of another conversation
      record([a, b, text(id(4), 'b again')]), // a message twice
      record([]),
      record(Array.from({ length: MESSAGES_PER_RECORD + 1 }, (_, i) => text(id(i + 3), 'm'))),
      bytes({ conversationId: CONVERSATION_HEX, messages: 'not a list' }),
    ];
    for (const plaintext of refused) expect(() => decodeArchivedMessages(plaintext, recordId)).toThrow(DecodeError);
  });
});
