/** The extension's side of AgentPlatform: host permission for the relay, the full-tab inbox, idle. */
import { browser } from '@wxt-dev/browser';
import type { AgentPlatform, IdlePlatform } from '../../ui/app/platform.js';
import type { RuntimeClient } from '../../ui/bridge/runtime-client.js';
import { relayOriginPattern } from '../../ui/validation/relay-url.js';

export function extensionPlatform(client: RuntimeClient, options: { readonly offerFullTab: boolean }): AgentPlatform {
  return {
    deviceKind: 'extension',
    suggestedRelayUrl: '',
    canScan: false,
    async requestRelayAccess(relayUrl) {
      // Asked at onboarding for the one relay chosen, never at install (manifest optional_host_permissions).
      const origins = [relayOriginPattern(relayUrl)];
      if (await browser.permissions.contains({ origins })) return true;
      return browser.permissions.request({ origins });
    },
    ...(options.offerFullTab
      ? {
          openFullTab: () => {
            void browser.tabs.create({ url: browser.runtime.getURL('/inbox.html') });
          },
        }
      : {}),
    onRuntimeAttach: (listener) => client.onAttach(listener),
    idle: browserIdle,
  };
}

/**
 * The browser's idle state (`idle` permission): the computer had no keyboard or mouse input for the
 * interval, or its screen is locked. The interval is one per extension; every page sets the same
 * preference. The browser reports changes only.
 */
const browserIdle: IdlePlatform = {
  watch(minutes, listener) {
    browser.idle.setDetectionInterval(minutes * 60);
    const changed = (state: string): void => {
      listener(state !== 'active');
    };
    browser.idle.onStateChanged.addListener(changed);
    return () => {
      browser.idle.onStateChanged.removeListener(changed);
    };
  },
};
