/**
 * Which queue an envelope from an authenticated connection goes to, or why it is refused.
 * The relay reads only the envelope's routing fields (docs/PROTOCOL.md §2.6); the body stays
 * opaque. Rules (§16.6):
 * - a visitor writes only into its own conversation, only to devices its account has enrolled;
 * - a device writes only into conversations of its own account, to the visitor or to another
 *   enrolled device of the account.
 * `routeFromCache` applies the rules to answers already in memory (the per-message path);
 * `routeEnvelope` asks the store and is used when the cache does not know.
 */
import type { EnvelopeRoute } from '../../shared/wire/index.js';
import type { Store, QueueKey } from '../store/store.js';
import { deviceQueue, visitorQueue } from '../store/store.js';
import type { RoutingCache } from '../store/cached-store.js';

export type Peer =
  | { readonly kind: 'device'; readonly accountId: string; readonly deviceId: string }
  | { readonly kind: 'visitor'; readonly accountId: string; readonly conversationId: string };

export type Routing =
  | { readonly ok: true; readonly queue: QueueKey; readonly conversationId: string }
  | { readonly ok: false; readonly error: 'forbidden' | 'unknown-recipient' };

const FORBIDDEN: Routing = { ok: false, error: 'forbidden' };
const UNKNOWN_RECIPIENT: Routing = { ok: false, error: 'unknown-recipient' };

/** The routing decision from cached answers only; undefined when the store must be asked. */
export function routeFromCache(cache: RoutingCache, peer: Peer, route: EnvelopeRoute): Routing | undefined {
  const { conversationId, recipient } = route;
  if (peer.kind === 'visitor') {
    if (conversationId !== peer.conversationId || recipient.kind !== 'device') return FORBIDDEN;
    const queue = deviceQueue(peer.accountId, recipient.deviceId);
    return cache.knownDeviceQueue(queue) === true ? { ok: true, queue, conversationId } : undefined;
  }
  const account = cache.cachedConversationAccount(conversationId);
  if (account === undefined) return undefined;
  if (account !== peer.accountId) return FORBIDDEN;
  if (recipient.kind === 'visitor') return { ok: true, queue: visitorQueue(conversationId), conversationId };
  const queue = deviceQueue(peer.accountId, recipient.deviceId);
  return cache.knownDeviceQueue(queue) === true ? { ok: true, queue, conversationId } : undefined;
}

export async function routeEnvelope(store: Store, peer: Peer, route: EnvelopeRoute): Promise<Routing> {
  const { conversationId, recipient } = route;
  if (peer.kind === 'visitor') {
    if (conversationId !== peer.conversationId || recipient.kind !== 'device') return FORBIDDEN;
    if ((await store.getDeviceKey(peer.accountId, recipient.deviceId)) === undefined) return UNKNOWN_RECIPIENT;
    return { ok: true, queue: deviceQueue(peer.accountId, recipient.deviceId), conversationId };
  }
  const conversation = await store.getConversation(conversationId);
  if (conversation?.accountId !== peer.accountId) return FORBIDDEN;
  if (recipient.kind === 'visitor') return { ok: true, queue: visitorQueue(conversationId), conversationId };
  if ((await store.getDeviceKey(peer.accountId, recipient.deviceId)) === undefined) return UNKNOWN_RECIPIENT;
  return { ok: true, queue: deviceQueue(peer.accountId, recipient.deviceId), conversationId };
}
