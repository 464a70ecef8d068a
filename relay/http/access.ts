/**
 * Access checks of the HTTP API: account sessions (Authorization: Bearer <token>) and visitor
 * conversation capabilities (Sealdesk-Capability header, never a cookie). Tokens and capabilities
 * are compared by hash; none of them is ever logged.
 */
import type { IncomingMessage } from 'node:http';
import type { RelayContext } from '../context.js';
import type { ConversationRecord } from '../store/store.js';
import type { Caller } from '../auth/roles.js';
import { HttpError } from '../errors.js';
import { fromBase64Url, matchesHash, sha256, SECRET_BYTES } from '../auth/tokens.js';

export const CAPABILITY_HEADER = 'sealdesk-capability';

function bearer(req: IncomingMessage): Uint8Array | undefined {
  const header = req.headers.authorization;
  const m = header === undefined ? null : /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header);
  const token = m?.[1] === undefined ? undefined : fromBase64Url(m[1]);
  return token?.length === SECRET_BYTES ? token : undefined;
}

/**
 * The caller behind a live session, or undefined. A device session counts only while its device is
 * enrolled, with the device's role read again on every request (issue #10 item 1): removing a
 * device or replacing its key ends its sessions in the store, and this check covers a removal
 * committed by another node a moment ago.
 */
export async function session(ctx: RelayContext, req: IncomingMessage): Promise<Caller | undefined> {
  const token = bearer(req);
  const s = token === undefined ? undefined : await ctx.store.findSession(sha256(token), ctx.now());
  if (s === undefined) return undefined;
  if (s.deviceId === null) return { accountId: s.accountId, deviceId: null, role: 'owner' };
  const role = await ctx.store.getDeviceRole(s.accountId, s.deviceId);
  return role === undefined ? undefined : { accountId: s.accountId, deviceId: s.deviceId, role };
}

/** A session of `accountId` itself, or 401/403. */
export async function requireAccount(ctx: RelayContext, req: IncomingMessage, accountId: string): Promise<Caller> {
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

/** 403 `blocked`: what a blocked visitor key gets for its conversation (PROTOCOL §16.10). */
export function blockedError(): HttpError {
  return new HttpError(403, 'blocked', 'the business does not accept messages from this conversation');
}

/**
 * The conversation if the caller is its visitor (capability) or a session of its account;
 * 404 when it does not exist, 403 when the credentials do not open it (`blocked` for a blocked visitor).
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
    if (await ctx.store.isVisitorBlocked(conversation.accountId, conversationId)) throw blockedError();
    return { conversation, role: 'visitor' };
  }
  const s = await session(ctx, req);
  if (s?.accountId === conversation.accountId) return { conversation, role: 'account' };
  throw new HttpError(403, 'forbidden', 'send the conversation capability (Sealdesk-Capability) or an account session');
}

/** 403 `role-forbidden` unless `allowed` (docs/PROTOCOL.md §16.7). */
export function requireRole(caller: Caller, allowed: boolean, what: string): void {
  if (!allowed)
    throw new HttpError(403, 'role-forbidden', `a device with the role ${caller.role} may not ${what}`, {
      role: caller.role,
    });
}
