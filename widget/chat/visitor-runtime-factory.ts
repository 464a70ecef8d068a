/**
 * Where the chat gets its VisitorRuntime (shared/runtime createVisitorRuntime): the snippet's relay,
 * account and pin, the browser's fetch and WebSocket, and the tiny IndexedDB adapter with one
 * database per business (nothing is written before the visitor opens a conversation), and how that
 * database is erased for a fresh start.
 */
import { type VisitorRuntime, createVisitorRuntime, indexedDbVisitorStorage } from '../../shared/runtime/index.js';
import { deleteIndexedDbStore } from '../../shared/storage/index.js';
import type { SnippetOptions } from '../snippet/snippet-options.js';
import type { RuntimeSource } from './render-chat.js';

export function widgetRuntimes(options: SnippetOptions): RuntimeSource {
  const name = `sealdesk-chat-${options.account}`;
  return {
    create: () => createRuntime(options, name),
    eraseStored: () => deleteIndexedDbStore({ name }),
  };
}

function createRuntime(options: SnippetOptions, name: string): VisitorRuntime {
  return createVisitorRuntime({
    relayUrl: options.relay,
    accountId: options.account,
    pin: options.pin,
    storage: indexedDbVisitorStorage(name),
    fetch: (url, init) => fetch(url, init),
    WebSocket,
  });
}
