/**
 * Run by `npm start` before the relay: builds what the relay serves — the widget and the demo shop
 * (a few seconds with esbuild) and the agent PWA (Vite, under a minute) — when dist/ lacks them or
 * their sources changed since. The extension is built by `npm run build` only (it is not served).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build as viteBuild } from 'vite';
import { buildDemo, DEMO_DIST } from './widget/build-demo.js';
import { buildWidget, REPO, WIDGET_DIST } from './widget/build-widget.js';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt(file: string): number {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

const sources = Math.max(newest(join(REPO, 'widget')), newest(join(REPO, 'shared')));
if (builtAt(join(WIDGET_DIST, 'manifest.json')) < sources) {
  process.stdout.write('building the widget (dist/widget) …\n');
  await buildWidget({ outDir: WIDGET_DIST });
}
if (builtAt(join(DEMO_DIST, 'demo.js')) < builtAt(join(WIDGET_DIST, 'manifest.json'))) {
  process.stdout.write('building the demo shop (dist/demo) …\n');
  await buildDemo();
}
const PWA_DIST = join(REPO, 'dist', 'pwa');
if (builtAt(join(PWA_DIST, 'index.html')) < Math.max(sources, newest(join(REPO, 'pwa')), newest(join(REPO, 'ui')))) {
  process.stdout.write('building the agent app (dist/pwa) …\n');
  await viteBuild({ configFile: join(REPO, 'pwa', 'vite.config.ts'), logLevel: 'error' });
}
