/**
 * A desktop notification for a visitor's message while no Sealdesk page is open. It names the
 * conversation, never the text: notification centres keep and sometimes sync what they show.
 */
import { browser } from '@wxt-dev/browser';
import type { AgentRuntime } from '../../shared/runtime/index.js';
import { visitorName } from '../../ui/format/names.js';

export function notifyVisitorMessages(runtime: AgentRuntime, pagesOpen: () => number): () => void {
  return runtime.on('message', (message) => {
    if (message.from !== 'visitor' || pagesOpen() > 0) return;
    void browser.notifications.create(`conversation:${message.conversationId}`, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon-128.png'),
      title: 'Sealdesk',
      message: `New message from ${visitorName(message.conversationId)}`,
    });
  });
}

/** Clicking a notification opens the full-tab inbox at that conversation. */
export function openConversationOnClick(): void {
  browser.notifications.onClicked.addListener((id) => {
    const conversationId = /^conversation:([0-9a-f]{32})$/.exec(id)?.[1];
    if (conversationId === undefined) return;
    void browser.tabs.create({ url: browser.runtime.getURL(`/inbox.html#/inbox/${conversationId}`) });
    void browser.notifications.clear(id);
  });
}
