/**
 * The per-visitor block list (docs/PROTOCOL.md §16.10, issue #15 item 6). A session of the
 * conversation's own account, any role:
 *
 *   POST   /v1/conversations/:c/block    blocks the conversation's visitor -> {blocked: true}
 *   DELETE /v1/conversations/:c/block    lifts it -> {blocked: false}; 404 `not-blocked`
 *   GET    /v1/accounts/:a/blocked       -> {blocked: [{conversationId, blockedAt}]}, newest first
 *
 * The conversation id derives from the visitor's key (PROTOCOL §5.1), so the block holds for that
 * key: its sockets are closed (4403), its hello is refused (`blocked`) and it cannot open the
 * conversation again. Another account's session gets 403; an unknown conversation 404.
 */
import { HttpError } from '../errors.js';
import type { IncomingMessage } from 'node:http';
import type { RelayContext } from '../context.js';
import type { Caller } from '../auth/roles.js';
import { requireAccount, session } from './access.js';
import { sendJson } from './respond.js';
import { ID, type Route, param, route } from './router.js';

async function requireAnyAccount(ctx: RelayContext, req: IncomingMessage): Promise<Caller> {
  const caller = await session(ctx, req);
  if (caller === undefined) throw new HttpError(401, 'unauthorized', 'log in or authenticate the device first');
  return caller;
}

export const blockRoutes: readonly Route[] = [
  route('POST', `/v1/conversations/${ID}/block`, async ({ req, res, ctx, params }) => {
    const conversationId = param(params, 0);
    const conversation = await ctx.store.getConversation(conversationId);
    if (conversation === undefined) throw new HttpError(404, 'not-found', 'no such conversation');
    await requireAccount(ctx, req, conversation.accountId);
    await ctx.store.blockVisitor(conversation.accountId, conversationId, ctx.now());
    ctx.hub.blockConversation(conversationId);
    ctx.log.info('conversation.blocked', { accountId: conversation.accountId, conversationId });
    sendJson(res, 200, { blocked: true });
  }),

  route('DELETE', `/v1/conversations/${ID}/block`, async ({ req, res, ctx, params }) => {
    const conversationId = param(params, 0);
    // The block outlives its conversation, so the caller's own account is the one asked.
    const conversation = await ctx.store.getConversation(conversationId);
    const accountId = conversation?.accountId;
    const caller =
      accountId === undefined ? await requireAnyAccount(ctx, req) : await requireAccount(ctx, req, accountId);
    if (!(await ctx.store.unblockVisitor(caller.accountId, conversationId)))
      throw new HttpError(404, 'not-blocked', 'this conversation is not blocked');
    ctx.log.info('conversation.unblocked', { accountId: caller.accountId, conversationId });
    sendJson(res, 200, { blocked: false });
  }),

  route('GET', `/v1/accounts/${ID}/blocked`, async ({ req, res, ctx, params }) => {
    const accountId = param(params, 0);
    await requireAccount(ctx, req, accountId);
    sendJson(res, 200, { blocked: await ctx.store.blockedVisitors(accountId) });
  }),
];
