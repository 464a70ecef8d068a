// WXT configuration of the agent browser extension (Manifest V3). The entrypoints (background
// service worker, side panel, options) arrive with the agent-app issue; see entrypoints/README.md.
import { defineConfig } from 'wxt';

export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  outDir: 'dist/extension',
  modules: ['@wxt-dev/module-vue'],
  manifest: {
    name: 'Sealdesk for agents',
    description: 'Answer your website visitors with end-to-end encrypted live chat.',
    permissions: ['storage', 'sidePanel', 'notifications'],
    // WebAssembly (OPAQUE) needs 'wasm-unsafe-eval'; the relay origin is added to connect-src at build time.
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
  },
});
