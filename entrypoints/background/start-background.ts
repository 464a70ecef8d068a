/**
 * Everything the background service worker does, started from its entry (index.ts) and never at
 * module top level. Listeners are registered synchronously in the first turn, as MV3 requires for
 * a worker that is woken by an event. The runtime itself starts lazily, on the first page that
 * connects, and is started again by the next one after Chrome stopped the worker.
 */
import { browser } from '@wxt-dev/browser';
import { createRuntimeHost } from '../../ui/bridge/runtime-host.js';
import { createPortChannel } from '../extension-bridge/port-channel.js';
import { RUNTIME_PORT_NAME } from '../extension-bridge/port-name.js';
import { createBackgroundRuntime } from './create-runtime.js';
import { notifyVisitorMessages, openConversationOnClick } from './message-notifications.js';
import { openInboxFromAction } from './toolbar-action.js';
import { showUnreadOnBadge } from './unread-badge.js';

export function startBackground(): void {
  const host = createRuntimeHost(async () => {
    const runtime = await createBackgroundRuntime();
    notifyVisitorMessages(runtime, () => host.connections);
    showUnreadOnBadge(runtime);
    return runtime;
  });
  const ownOrigin = browser.runtime.getURL('/');

  browser.runtime.onConnect.addListener((port) => {
    // Only this extension's own pages may drive the runtime (no externally_connectable, and a check).
    const sender = port.sender;
    if (port.name !== RUNTIME_PORT_NAME || sender?.id !== browser.runtime.id || !sender.url?.startsWith(ownOrigin)) {
      port.disconnect();
      return;
    }
    host.accept(createPortChannel(port));
  });

  openInboxFromAction();
  openConversationOnClick();
}
