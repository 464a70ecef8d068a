/**
 * Conversations and attachments over HTTP.
 *
 *   POST   /v1/accounts/:a/conversations          [{conversationId}] -> {conversationId, capability}
 *                                                    (visitor, no credentials; limited per visitor address
 *                                                    and per account per hour, 429 with Retry-After; 403
 *                                                    `blocked` for a blocked visitor key; the id is the client's own random id when
 *                                                    given, PROTOCOL §2.4, else the relay picks one)
 *   DELETE /v1/conversations/:c                    account session: deletes its ciphertext and attachments
 *   POST   /v1/conversations/:c/attachments        raw encrypted blob -> {attachmentId}
 *   GET    /v1/conversations/:c/attachments/:id    raw encrypted blob
 *
 * The capability is 256 random bits shown once; the relay keeps only its SHA-256. Attachment
 * requests carry it in the Sealdesk-Capability header (or an account session), never a cookie.
 */
import { HttpError } from '../errors.js';
import { randomIdHex, randomSecret, sha256, toBase64Url } from '../auth/tokens.js';
import { blockedError, requireAccount, requireConversation } from './access.js';
import { addressKey, clientAddress } from './client-address.js';
import { hexId, readJson } from './body.js';
import { sendBytes, sendJson } from './respond.js';
import { readAttachmentUpload, saveAttachment } from './attachment-upload.js';
import { ID, type Route, param, route } from './router.js';
import { spendConversationBudget } from './conversation-budget.js';

export const conversationRoutes: readonly Route[] = [
  route('POST', `/v1/accounts/${ID}/conversations`, async ({ req, res, ctx, params }) => {
    const accountId = param(params, 0);
    if (!(await ctx.store.accountExists(accountId))) throw new HttpError(404, 'not-found', 'no such account');
    const visitor = addressKey(clientAddress(req, ctx.config.trustedProxies));
    const body = await readJson(req, 1024, true);
    const conversationId =
      body['conversationId'] === undefined ? randomIdHex() : hexId(body['conversationId'], 'conversationId');
    // The id derives from the visitor's key (PROTOCOL §5.1): a blocked key cannot open it again.
    if (await ctx.store.isVisitorBlocked(accountId, conversationId)) throw blockedError();
    spendConversationBudget(ctx, res, visitor, accountId);
    const capability = randomSecret();
    if (
      !(await ctx.store.createConversation(
        { conversationId, accountId, capabilityHash: sha256(capability) },
        ctx.now(),
      ))
    ) {
      throw new HttpError(409, 'conversation-exists', 'this conversation id is taken; generate a new random one');
    }
    ctx.log.info('conversation.opened', { accountId, conversationId });
    sendJson(res, 201, { conversationId, capability: toBase64Url(capability) });
  }),

  route('DELETE', `/v1/conversations/${ID}`, async ({ req, res, ctx, params }) => {
    const conversationId = param(params, 0);
    const conversation = await ctx.store.getConversation(conversationId);
    if (conversation === undefined) throw new HttpError(404, 'not-found', 'no such conversation');
    await requireAccount(ctx, req, conversation.accountId);
    await ctx.store.deleteConversation(conversationId);
    ctx.hub.disconnectConversation(conversationId);
    ctx.log.info('conversation.deleted', { accountId: conversation.accountId, conversationId });
    sendJson(res, 200, { deleted: true });
  }),

  route('POST', `/v1/conversations/${ID}/attachments`, async ({ req, res, ctx, params }) => {
    const conversationId = param(params, 0);
    await requireConversation(ctx, req, conversationId);
    const blob = await readAttachmentUpload(ctx, req);
    await saveAttachment(ctx, res, conversationId, randomIdHex(), blob);
  }),

  route('GET', `/v1/conversations/${ID}/attachments/${ID}`, async ({ req, res, ctx, params }) => {
    const conversationId = param(params, 0);
    await requireConversation(ctx, req, conversationId);
    const attachment = await ctx.store.getAttachment(param(params, 1));
    if (attachment?.conversationId !== conversationId)
      throw new HttpError(404, 'not-found', 'no such attachment in this conversation');
    sendBytes(res, 200, attachment.blob);
  }),
];
