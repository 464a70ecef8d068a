/**
 * Access checks of the HTTP API: account sessions (Authorization: Bearer <token>) and visitor
 * conversation capabilities (Sealdesk-Capability header, never a cookie). Tokens and capabilities
 * are compared by hash; none of them is ever logged.
 */
import type { IncomingMessage } from 'node:http';
import type { RelayContext } from '../context.js';
import type { ConversationRecord, SessionRecord } from '../store/store.js';
import { HttpError } from '../errors.js';
import { fromBase64Url, matchesHash, sha256, SECRET_BYTES } from '../auth/tokens.js';

export const CAPABILITY_HEADER = 'sealdesk-capability';

function bearer(req: IncomingMessage): Uint8Array | undefined {
  const header = req.headers.authorization;
  const m = header === undefined ? null : /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header);
  const token = m?.[1] === undefined ? undefined : fromBase64Url(m[1]);
  return token?.length === SECRET_BYTES ? token : undefined;
}

/** The caller's session, or 401. */
export async function session(ctx: RelayContext, req: IncomingMessage): Promise<SessionRecord | undefined> {
  const token = bearer(req);
  return token === undefined ? undefined : ctx.store.findSession(sha256(token), ctx.now());
}

/** A session of `accountId` itself, or 401/403. */
export async function requireAccount(
  ctx: RelayContext,
  req: IncomingMessage,
  accountId: string,
): Promise<SessionRecord> {
  const s = await session(ctx, req);
  if (s === undefined)
    throw new HttpError(
      401,
      'unauthorized',
      'log in (OPAQUE) or authenticate the device, then send Authorization: Bearer <token>',
    );
  if (s.accountId !== accountId) throw new HttpError(403, 'forbidden', 'this session belongs to another account');
  return s;
}

/**
 * The conversation if the caller is its visitor (capability) or a session of its account;
 * 404 when it does not exist, 403 when the credentials do not open it.
 */
export async function requireConversation(
  ctx: RelayContext,
  req: IncomingMessage,
  conversationId: string,
): Promise<{ conversation: ConversationRecord; role: 'visitor' | 'account' }> {
  const conversation = await ctx.store.getConversation(conversationId);
  if (conversation === undefined)
    throw new HttpError(404, 'not-found', 'no such conversation (it may have been deleted or expired)');
  const header = req.headers[CAPABILITY_HEADER];
  const capability = typeof header === 'string' ? fromBase64Url(header) : undefined;
  if (capability?.length === SECRET_BYTES && matchesHash(capability, conversation.capabilityHash)) {
    return { conversation, role: 'visitor' };
  }
  const s = await session(ctx, req);
  if (s?.accountId === conversation.accountId) return { conversation, role: 'account' };
  throw new HttpError(403, 'forbidden', 'send the conversation capability (Sealdesk-Capability) or an account session');
}
