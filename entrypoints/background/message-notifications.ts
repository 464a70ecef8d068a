/**
 * A desktop notification for a visitor's message while no Sealdesk page is open. It names the
 * conversation, never the text: notification centres keep and sometimes sync what they show.
 * It is silent unless "Play a sound for new messages" is on (device-prefs.ts, issue #15 item 4).
 */
import { type Browser, browser } from '@wxt-dev/browser';
import type { AgentRuntime, HexId } from '../../shared/runtime/index.js';
import { readDevicePrefs } from '../../ui/app/device-prefs.js';
import { visitorName } from '../../ui/format/names.js';

/**
 * The notification of a visitor's message. `silent` is Chrome's; Firefox's notifications API has no
 * such option (and refuses unknown ones), so there it is left out and the system's sound rules apply.
 */
export function visitorMessageNotification(
  conversationId: HexId,
  options: { readonly iconUrl: string; readonly sound: boolean; readonly canSilence: boolean },
): Browser.notifications.NotificationCreateOptions {
  return {
    type: 'basic',
    iconUrl: options.iconUrl,
    title: 'Sealdesk',
    message: `New message from ${visitorName(conversationId)}`,
    ...(options.canSilence ? { silent: !options.sound } : {}),
  };
}

export function notifyVisitorMessages(runtime: AgentRuntime, pagesOpen: () => number): () => void {
  return runtime.on('message', (message) => {
    if (message.from !== 'visitor' || pagesOpen() > 0) return;
    void readDevicePrefs(indexedDB).then(({ sound }) =>
      browser.notifications.create(
        `conversation:${message.conversationId}`,
        visitorMessageNotification(message.conversationId, {
          iconUrl: browser.runtime.getURL('/icon-128.png'),
          sound,
          canSilence: !browser.runtime.getURL('/').startsWith('moz-extension:'),
        }),
      ),
    );
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
