/**
 * Run by `npm start` before the relay: builds the widget and the demo shop when dist/ lacks them or
 * their sources changed since (a few seconds with esbuild), and says which other parts are not built.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
if (!existsSync(join(REPO, 'dist', 'pwa')))
  process.stdout.write('the agent app (dist/pwa) is not built: npm run build\n');
