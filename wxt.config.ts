// WXT configuration of the agent browser extension (Manifest V3, Chrome and Firefox). Every
// permission below is justified in docs/ARCHITECTURE.md ("The extension's permissions").
import { defineConfig } from 'wxt';

/**
 * Extension pages (side panel, tab, options, the background worker): no remote code, no eval;
 * 'wasm-unsafe-eval' only because OPAQUE (@serenity-kit/opaque) is WebAssembly. The relay is
 * chosen at onboarding, so connect-src cannot name it at build time: it allows HTTPS/WSS anywhere
 * and plain HTTP/WS only on this computer (a relay for development).
 */
export const EXTENSION_PAGES_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self' https: wss: http://127.0.0.1:* ws://127.0.0.1:* http://localhost:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'ui/design/brand',
  outDir: 'dist/extension',
  outDirTemplate: '{{browser}}-mv{{manifestVersion}}',
  manifestVersion: 3,
  modules: ['@wxt-dev/module-vue'],
  imports: false,
  manifest: ({ browser }) => ({
    name: 'Sealdesk for agents',
    description: 'Answer your website visitors with end-to-end encrypted live chat.',
    icons: { 16: '/icon-16.png', 32: '/icon-32.png', 48: '/icon-48.png', 128: '/icon-128.png' },
    action: { default_title: 'Open Sealdesk', default_icon: { 16: '/icon-16.png', 32: '/icon-32.png' } },
    // sidePanel is added by WXT for the side panel entrypoint (Chrome); Firefox uses sidebar_action.
    permissions: ['notifications', 'idle', 'unlimitedStorage'],
    // Requested at onboarding for the one relay chosen (permissions.request), never at install.
    optional_host_permissions: ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*'],
    content_security_policy: { extension_pages: EXTENSION_PAGES_CSP },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'agent-app@sealdesk',
              strict_min_version: '142.0',
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
});
