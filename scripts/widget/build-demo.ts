/**
 * `npm run build:demo`: the demo shop in dist/demo (widget/demo: a static page, its style sheet and
 * pictures, and demo.js with the widget build's manifest compiled in). Builds the widget first when
 * dist/widget has no manifest.
 */
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parseWidgetManifest } from '../../widget/snippet/index.js';
import { buildWidget, REPO, WIDGET_DIST } from './build-widget.js';

export const DEMO_DIST = join(REPO, 'dist', 'demo');
const SOURCE = join(REPO, 'widget', 'demo');

export async function buildDemo(widgetDir = WIDGET_DIST, outDir = DEMO_DIST): Promise<void> {
  const manifestPath = join(widgetDir, 'manifest.json');
  if (!existsSync(manifestPath)) await buildWidget({ outDir: widgetDir });
  const manifest = parseWidgetManifest(JSON.parse(await readFile(manifestPath, 'utf8')) as unknown);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  for (const file of ['index.html', 'demo.css', 'assets'])
    await cp(join(SOURCE, file), join(outDir, file), { recursive: true });
  await build({
    entryPoints: [join(SOURCE, 'demo-main.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    outfile: join(outDir, 'demo.js'),
    logLevel: 'silent',
    define: { SEALDESK_WIDGET_MANIFEST: JSON.stringify(manifest) },
  });
}
