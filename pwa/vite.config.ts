// The agent PWA: Vite + Vue, built into dist/pwa and served by the relay at /app/.
// A workbox service worker (vite-plugin-pwa, generateSW) precaches the app shell for offline use;
// it is registered by the app through workbox-window (service-worker-registration.ts). The Web Push
// handlers (push-handlers.ts) are bundled on their own into sw-push.js, which the worker imports.
import vue from '@vitejs/plugin-vue';
import { build as esbuild } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export const PWA_BASE = '/app/';
const PUSH_SCRIPT = 'sw-push.js';

/** Emits push-handlers.ts as one classic script, as importScripts needs (no modules in it). */
function pushHandlersScript(): Plugin {
  return {
    name: 'sealdesk-sw-push',
    apply: 'build',
    async generateBundle() {
      const result = await esbuild({
        entryPoints: [here('push-handlers.ts')],
        bundle: true,
        format: 'iife',
        target: 'es2022',
        minify: true,
        write: false,
      });
      const [file] = result.outputFiles;
      if (file === undefined) throw new Error('esbuild produced no sw-push.js');
      this.emitFile({ type: 'asset', fileName: PUSH_SCRIPT, source: file.text });
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: PWA_BASE,
  publicDir: here('../ui/design/brand'),
  build: { outDir: here('../dist/pwa'), emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  plugins: [
    vue(),
    pushHandlersScript(),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      filename: 'sw.js',
      includeAssets: ['icon.svg', 'apple-touch-icon.png'],
      manifest: {
        id: PWA_BASE,
        name: 'Sealdesk',
        short_name: 'Sealdesk',
        description: 'Answer your website visitors with end-to-end encrypted live chat.',
        start_url: PWA_BASE,
        scope: PWA_BASE,
        display: 'standalone',
        orientation: 'any',
        background_color: '#f4f6f8',
        theme_color: '#0b6e5e',
        categories: ['business', 'productivity'],
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: 'maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,webmanifest}'],
        navigateFallback: `${PWA_BASE}index.html`,
        cleanupOutdatedCaches: true,
        importScripts: [PUSH_SCRIPT],
        maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
      },
    }),
  ],
});
