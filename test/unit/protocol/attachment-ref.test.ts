/**
 * One attachment reference (docs/PROTOCOL.md §7.3, §8.2; issue #9 item 7, issue #17 "§7.3 vs
 * §8.2"): the `attachment` message kind is the §8.2 reference with its codec, and the reference's
 * rules are checked wherever it is decoded (InvalidContentError) or written (UsageError).
 */
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../shared/crypto/index.js';
import { DecodeError, UsageError } from '../../../shared/errors/index.js';
import {
  ALERT_KINDS,
  ATTACHMENT_LIMITS,
  type AttachmentRef,
  AttachmentTamperedError,
  attachmentRefCodec,
  chunkCountFor,
  InvalidContentError,
  rejectionAlert,
  sealAttachment,
} from '../../../shared/protocol/index.js';
import { messageBodyCodec } from '../../../shared/protocol/conversation/message-kinds.js';
import { asConversationId, decode, encode } from '../../../shared/wire/index.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';
import { laxAttachmentRefCodec } from '../../support/malicious-sender.js';
import { ProtocolWorld } from '../../support/protocol-world.js';
import { snapshot } from '../../support/state-snapshot.js';
import { WorldConversation } from '../../support/world-conversation.js';

async function honestRef(): Promise<AttachmentRef> {
  const env = hashSeededEnv('attachment-ref');
  return (await sealAttachment(env, new Uint8Array(5000), { mediaType: 'application/pdf', fileName: 'invoice.pdf' }))
    .ref;
}

const BROKEN: readonly (readonly [string, Partial<AttachmentRef>])[] = [
  ['a right-to-left override in the file name (U+202E)', { fileName: 'invoice\u202Efdp.exe' }],
  ['a zero-width space in the file name (U+200B)', { fileName: 'in\u200Bvoice.pdf' }],
  ['a file name that is not NFC', { fileName: 'cafe\u0301.pdf' }],
  ['an empty file name (absent is the way to say none)', { fileName: '' }],
  ['a path in the file name', { fileName: '../etc/passwd' }],
  ['a backslash in the file name', { fileName: 'C:\\invoice.pdf' }],
  ['a file name that names a directory', { fileName: '..' }],
  ['a 1 TiB size', { size: 2 ** 40, chunkCount: chunkCountFor(2 ** 40) }],
  ['a size one byte past 100 MiB', { size: 104_857_601, chunkCount: chunkCountFor(104_857_601) }],
  ['a chunk count that does not match the size', { chunkCount: 9 }],
  ['a media type that is not one', { mediaType: 'not a media type' }],
  ['a media type without a subtype', { mediaType: 'application' }],
  ['a media type with parameters', { mediaType: 'text/plain; charset=utf-8' }],
  ['a media type with a non-ASCII letter', { mediaType: 'tëxt/plain' }],
  ['a media type whose subtype starts with a symbol', { mediaType: 'text/+plain' }],
];

describe('attachments: one reference, its rules checked where it is decoded (#9.7)', () => {
  it('#9.7: the attachment message kind is tag 4 followed by the attachmentRef encoding of §8.2', async () => {
    const ref = await honestRef();
    const body = encode(messageBodyCodec, { kind: 'attachment', ref });
    expect(body).toEqual(concatBytes(new Uint8Array([4]), encode(attachmentRefCodec, ref)));
    expect(decode(messageBodyCodec, body)).toEqual({ kind: 'attachment', ref });
  });

  it.each(BROKEN)(
    '#9.7: %s is refused when decoded (InvalidContentError, a DecodeError), alone and in a message',
    async (_what, patch) => {
      const bytes = encode(laxAttachmentRefCodec, { ...(await honestRef()), ...patch });
      for (const decodeIt of [
        () => decode(attachmentRefCodec, bytes),
        () => decode(messageBodyCodec, concatBytes(new Uint8Array([4]), bytes)),
      ]) {
        expect(decodeIt).toThrow(InvalidContentError);
        expect(decodeIt).toThrow(DecodeError); // decoders fail only with decode errors (§2.7)
        // The message names the rule, never the (hostile) value.
        if (patch.fileName) expect(decodeIt).not.toThrow(patch.fileName);
      }
    },
  );

  it.each(BROKEN)('#9.7: %s is refused by an honest writer (UsageError)', async (_what, patch) => {
    const ref: AttachmentRef = { ...(await honestRef()), ...patch };
    expect(() => encode(attachmentRefCodec, ref)).toThrow(UsageError);
    expect(() => encode(messageBodyCodec, { kind: 'attachment', ref })).toThrow(UsageError);
  });

  it('#9.7: the rules accept real media types and names (RFC 6838 §4.2 restricted names, 127 bytes)', async () => {
    const ref = await honestRef();
    for (const mediaType of [
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'image/svg+xml',
      'text/x-c++src',
      'a/b',
      `a/${'b'.repeat(125)}`,
    ]) {
      expect(decode(attachmentRefCodec, encode(attachmentRefCodec, { ...ref, mediaType })).mediaType).toBe(mediaType);
    }
    for (const fileName of ['Rechnung März 2026.pdf', '報告書.docx', 'a', 'x'.repeat(64), undefined]) {
      expect(decode(attachmentRefCodec, encode(attachmentRefCodec, { ...ref, fileName })).fileName).toBe(fileName);
    }
    const atCap = chunkCountFor(ATTACHMENT_LIMITS.maxBytes);
    const big = { ...ref, size: ATTACHMENT_LIMITS.maxBytes, chunkCount: atCap };
    expect(decode(attachmentRefCodec, encode(attachmentRefCodec, big)).size).toBe(ATTACHMENT_LIMITS.maxBytes);
  });

  it('#9.7: rejectionAlert maps InvalidContentError to invalid-content; other decode errors are unchanged', () => {
    // Naming the sender from the rejected packet is covered with real packets in conversation.test.ts (#9.6).
    const conversationId = asConversationId(new Uint8Array(16).fill(1));
    const alert = rejectionAlert(new InvalidContentError('attachment reference refused'), conversationId);
    expect(alert?.kind).toBe(ALERT_KINDS.invalidContent);
    expect(rejectionAlert(new DecodeError('malformed'), conversationId)?.kind).toBe(ALERT_KINDS.forged);
  });

  it('#16.2: rejectionAlert returns a refused file’s own attachment-tampered alert, in its conversation', () => {
    const conversationId = asConversationId(new Uint8Array(16).fill(2));
    const error = new AttachmentTamperedError('chunk-auth', 'chunk 1 failed its tag', 1);
    expect(rejectionAlert(error, conversationId)).toEqual({ ...error.alert, conversationId });
    expect(rejectionAlert(error, conversationId)?.kind).toBe(ALERT_KINDS.attachmentTampered);
  });

  it('#9.7: sendMessage refuses a reference that breaks the rules (UsageError) and changes nothing', async () => {
    const world = await ProtocolWorld.create('attachment-ref-send');
    const convo = await WorldConversation.start(world, 'visitor');
    const before = snapshot(convo.visitor.state);
    const ref: AttachmentRef = { ...(await honestRef()), fileName: 'invoice\u202Efdp.exe' };
    await expect(convo.visitorSendsBody({ kind: 'attachment', ref })).rejects.toBeInstanceOf(UsageError);
    expect(snapshot(convo.visitor.state)).toBe(before);
    const owner = world.device('owner').keys.deviceId;
    expect(world.relay.take(convo.conversationId, { kind: 'device', deviceId: owner })).toHaveLength(0);
  });
});
