/**
 * Starts the shared UI in an extension page (side panel, full-tab inbox, options). The runtime is
 * the background's, reached through a port; the page holds no key.
 */
import { browser } from '@wxt-dev/browser';
import { createAgentApp } from '../../ui/app/create-agent-app.js';
import { createRuntimeClient } from '../../ui/bridge/runtime-client.js';
import { createPortChannel } from '../extension-bridge/port-channel.js';
import { RUNTIME_PORT_NAME } from '../extension-bridge/port-name.js';
import { extensionPlatform } from './extension-platform.js';

export function mountExtensionApp(options: { readonly offerFullTab: boolean; readonly startAt?: string }): void {
  if (options.startAt !== undefined && location.hash === '') location.hash = `#${options.startAt}`;
  const client = createRuntimeClient(() => createPortChannel(browser.runtime.connect({ name: RUNTIME_PORT_NAME })));
  const app = createAgentApp({ runtime: client, platform: extensionPlatform(client, options) });
  app.mount('#app');
  addEventListener('pagehide', () => {
    client.dispose();
  });
}
