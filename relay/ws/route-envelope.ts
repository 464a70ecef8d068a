/**
 * Which queue an envelope from an authenticated connection goes to, or why it is refused.
 * The relay reads only the envelope's routing fields (docs/PROTOCOL.md §2.6); the body stays
 * opaque. Rules (§16.6):
 * - a visitor writes only into its own conversation, only to devices its account has enrolled;
 * - a device writes only into conversations of its own account, to the visitor or to another
 *   enrolled device of the account.
 */
import { type Envelope, idToHex } from '../../shared/wire/index.js';
import type { Store, QueueKey } from '../store/store.js';
import { deviceQueue, visitorQueue } from '../store/store.js';

export type Peer =
  | { readonly kind: 'device'; readonly accountId: string; readonly deviceId: string }
  | { readonly kind: 'visitor'; readonly accountId: string; readonly conversationId: string };

export type Routing = { readonly ok: true; readonly queue: QueueKey; readonly conversationId: string } | { readonly ok: false; readonly error: 'forbidden' | 'unknown-recipient' };

export async function routeEnvelope(store: Store, peer: Peer, envelope: Envelope): Promise<Routing> {
  const conversationId = idToHex(envelope.conversationId);
  const recipient = envelope.recipient;
  if (peer.kind === 'visitor') {
    if (conversationId !== peer.conversationId || recipient.kind !== 'device') return { ok: false, error: 'forbidden' };
    const deviceId = idToHex(recipient.deviceId);
    if ((await store.getDeviceKey(peer.accountId, deviceId)) === undefined) return { ok: false, error: 'unknown-recipient' };
    return { ok: true, queue: deviceQueue(peer.accountId, deviceId), conversationId };
  }
  const conversation = await store.getConversation(conversationId);
  if (conversation?.accountId !== peer.accountId) return { ok: false, error: 'forbidden' };
  if (recipient.kind === 'visitor') return { ok: true, queue: visitorQueue(conversationId), conversationId };
  const deviceId = idToHex(recipient.deviceId);
  if ((await store.getDeviceKey(peer.accountId, deviceId)) === undefined) return { ok: false, error: 'unknown-recipient' };
  return { ok: true, queue: deviceQueue(peer.accountId, deviceId), conversationId };
}
