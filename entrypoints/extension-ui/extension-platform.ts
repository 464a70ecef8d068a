/** The extension's side of AgentPlatform: host permission for the relay, the full-tab inbox. */
import { browser } from '@wxt-dev/browser';
import type { AgentPlatform } from '../../ui/app/platform.js';
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
  };
}
