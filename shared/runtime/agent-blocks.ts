/**
 * Blocking a conversation's visitor from the agent runtime (PROTOCOL §16.10, issue #15 item 6):
 * the relay refuses the visitor key from then on. Any role may block; the device's own session.
 */
import { asConversationId, idBytesFromHex, idToHex } from '../wire/index.js';
import type { HexId } from './api-common.js';
import type { BlockedVisitor } from './api-agent.js';
import { type Enrolled, deviceAuth } from './agent-device-session.js';

const conversation = (id: HexId): ReturnType<typeof asConversationId> => asConversationId(idBytesFromHex(id));

export async function blockVisitor(e: Enrolled, conversationId: HexId): Promise<void> {
  await e.p.http.blocks.block(conversation(conversationId), await deviceAuth(e));
}

export async function unblockVisitor(e: Enrolled, conversationId: HexId): Promise<void> {
  await e.p.http.blocks.unblock(conversation(conversationId), await deviceAuth(e));
}

export async function blockedConversations(e: Enrolled): Promise<readonly BlockedVisitor[]> {
  const list = await e.p.http.blocks.list(e.account.accountId, await deviceAuth(e));
  return list.map((b) => ({ conversationId: idToHex(b.conversationId), blockedAt: b.blockedAt }));
}
