/**
 * An attachment stored under the id the client chose (issue #11 item 3):
 *
 *   PUT /v1/conversations/:c/attachments/:id   raw encrypted blob -> 201 {attachmentId}; 409 attachment-exists
 *
 * The attachment reference binds its id into every chunk's associated data (PROTOCOL §8.2–§8.3), so
 * the sender picks the id (16 random bytes) before it seals the file and stores the blob under it;
 * the relay-chosen id of POST cannot be bound in. Same access rule, size cap and per-conversation
 * quota as POST; an id already taken (in any conversation) is refused, never overwritten.
 */
import { requireConversation } from './access.js';
import { readAttachmentUpload, saveAttachment } from './attachment-upload.js';
import { ID, type Route, param, route } from './router.js';

export const attachmentPutRoutes: readonly Route[] = [
  route('PUT', `/v1/conversations/${ID}/attachments/${ID}`, async ({ req, res, ctx, params }) => {
    const conversationId = param(params, 0);
    const attachmentId = param(params, 1);
    await requireConversation(ctx, req, conversationId);
    const blob = await readAttachmentUpload(ctx, req);
    await saveAttachment(ctx, res, conversationId, attachmentId, blob);
  }),
];
