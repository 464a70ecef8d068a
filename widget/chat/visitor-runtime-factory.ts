/**
 * Where the chat gets its VisitorRuntime (shared/runtime createVisitorRuntime): the snippet's relay,
 * account and pin, the browser's fetch and WebSocket, and the tiny IndexedDB adapter with one
 * database per business (nothing is written before the visitor opens a conversation).
 */
import { type VisitorRuntime, createVisitorRuntime, indexedDbVisitorStorage } from '../../shared/runtime/index.js';
import type { SnippetOptions } from '../snippet/snippet-options.js';

export function createWidgetRuntime(options: SnippetOptions): VisitorRuntime {
  return createVisitorRuntime({
    relayUrl: options.relay,
    accountId: options.account,
    pin: options.pin,
    storage: indexedDbVisitorStorage(`sealdesk-chat-${options.account}`),
    fetch: (url, init) => fetch(url, init),
    WebSocket,
  });
}
