/**
 * The toolbar button opens the inbox: Chrome's side panel, Firefox's sidebar. Either browser
 * falls back to the full-tab inbox when its panel API is missing.
 */
import { browser } from '@wxt-dev/browser';

interface FirefoxSidebarAction {
  toggle(): Promise<void>;
}

export function openInboxFromAction(): void {
  const sidePanel = (browser as { sidePanel?: typeof browser.sidePanel }).sidePanel;
  if (sidePanel !== undefined) {
    void sidePanel.setPanelBehavior({ openPanelOnActionClick: true });
    return;
  }
  const sidebar = (browser as { sidebarAction?: FirefoxSidebarAction }).sidebarAction;
  browser.action.onClicked.addListener(() => {
    if (sidebar !== undefined) void sidebar.toggle();
    else void browser.tabs.create({ url: browser.runtime.getURL('/inbox.html') });
  });
}
