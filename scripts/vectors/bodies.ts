/**
 * Message bodies of the vector script (docs/PROTOCOL.md §7.3): from the script's form to the
 * protocol's `MessageBody`, and to the JSON the vectors store (byte fields in hex).
 */
import { toHex, utf8Encode } from '../../shared/crypto/index.js';
import { attachmentRefCodec, type MessageBody, type ProtocolEnv, sealAttachment } from '../../shared/protocol/index.js';
import { encode, type DeviceId } from '../../shared/wire/index.js';
import type { BodyInput } from './inputs.js';

/** What a read receipt needs to know about an earlier send of the script. */
export type SendLookup = (id: string) => { readonly senderId: DeviceId; readonly seq: number };

/** The body to send. An attachment is sealed here, with the sender's env (§8.1: attachment id, then file key). */
export async function bodyOf(input: BodyInput, env: ProtocolEnv, lookup: SendLookup): Promise<MessageBody> {
  switch (input.kind) {
    case 'text':
      return { kind: 'text', text: input.text };
    case 'typing':
      return { kind: 'typing', active: input.active };
    case 'close':
      return { kind: 'close', reason: input.reason };
    case 'readReceipt': {
      const read = lookup(input.of);
      return { kind: 'readReceipt', sender: read.senderId, seq: read.seq };
    }
    case 'attachment': {
      const sealed = await sealAttachment(env, utf8Encode(input.content), {
        mediaType: input.mediaType,
        fileName: input.fileName,
      });
      return { kind: 'attachment', ref: sealed.ref };
    }
  }
}

export function bodyJson(body: MessageBody): Record<string, unknown> {
  switch (body.kind) {
    case 'text':
      return { kind: body.kind, text: body.text };
    case 'typing':
      return { kind: body.kind, active: body.active };
    case 'close':
      return { kind: body.kind, reason: body.reason };
    case 'readReceipt':
      return { kind: body.kind, sender: toHex(body.sender), seq: body.seq };
    case 'attachment':
      return {
        kind: body.kind,
        ref: {
          attachmentId: toHex(body.ref.attachmentId),
          fileKey: toHex(body.ref.fileKey),
          size: body.ref.size,
          chunkCount: body.ref.chunkCount,
          firstChunkHash: toHex(body.ref.firstChunkHash),
          mediaType: body.ref.mediaType,
          fileName: body.ref.fileName ?? null,
        },
        encodedRef: toHex(encode(attachmentRefCodec, body.ref)),
      };
    case 'deviceList':
      return { kind: body.kind, lists: body.lists.map(toHex) };
  }
}
