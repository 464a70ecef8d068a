/**
 * What both attachment uploads share (POST with a relay-chosen id, PUT with the client's): the body
 * read within the size cap and the upload budget, then stored under the conversation's quota.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayContext } from '../context.js';
import { HttpError } from '../errors.js';
import { readBytes } from './body.js';
import { sendJson } from './respond.js';

/** The uploaded blob: not empty, at most `maxAttachmentBytes`. */
export async function readAttachmentUpload(ctx: RelayContext, req: IncomingMessage): Promise<Uint8Array> {
  const blob = await readBytes(req, ctx.config.maxAttachmentBytes, ctx.uploadBudget);
  if (blob.length === 0) throw new HttpError(400, 'bad-request', 'the attachment must not be empty');
  return blob;
}

/** Stores `blob` as `attachmentId` of the conversation and answers 201 {attachmentId}; 409 if the id is taken, 413 past the quota. */
export async function saveAttachment(
  ctx: RelayContext,
  res: ServerResponse,
  conversationId: string,
  attachmentId: string,
  blob: Uint8Array,
): Promise<void> {
  const quota = ctx.config.attachmentQuotaBytesPerConversation;
  const outcome = await ctx.store.putAttachment({ attachmentId, conversationId, blob }, quota, ctx.now());
  if (outcome === 'exists') {
    throw new HttpError(409, 'attachment-exists', 'this attachment id is taken; seal the file again with a new one');
  }
  if (outcome === 'over-quota') {
    ctx.metrics.reject('attachment-quota');
    throw new HttpError(413, 'quota-exceeded', `a conversation may store at most ${quota} attachment bytes`);
  }
  ctx.log.info('attachment.stored', { conversationId, attachmentId, bytes: blob.length });
  sendJson(res, 201, { attachmentId });
}
