/**
 * Renders the app icons (ui/design/brand/*.svg) to the PNG sizes the extension and the PWA need,
 * with the machine's Chromium, into ui/design/brand/. Run after changing an SVG:
 *   npx tsx scripts/make-icons.ts
 * The PNGs are committed; builds copy them (WXT and Vite use ui/design/brand as public dir).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchChromium } from '../test/support/chromium.js';

const BRAND = join(import.meta.dirname, '..', 'ui', 'design', 'brand');
const RENDERS: readonly { readonly svg: string; readonly size: number; readonly out: string }[] = [
  ...[16, 32, 48, 128, 192, 512].map((size) => ({ svg: 'icon.svg', size, out: `icon-${size}.png` })),
  { svg: 'icon-maskable.svg', size: 192, out: 'maskable-192.png' },
  { svg: 'icon-maskable.svg', size: 512, out: 'maskable-512.png' },
  // iOS ignores the manifest's icons for the home screen and wants an opaque square.
  { svg: 'icon-maskable.svg', size: 180, out: 'apple-touch-icon.png' },
];

async function main(): Promise<void> {
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    for (const render of RENDERS) {
      const svg = await readFile(join(BRAND, render.svg), 'utf8');
      await page.setViewport({ width: render.size, height: render.size, deviceScaleFactor: 1 });
      await page.setContent(
        `<style>html,body{margin:0;background:transparent}img{display:block;width:${render.size}px;height:${render.size}px}</style>` +
          `<img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`,
      );
      await page.waitForFunction(() => document.querySelector('img')?.complete === true);
      const png = await page.screenshot({ type: 'png', omitBackground: true });
      await writeFile(join(BRAND, render.out), png);
      console.log(`${render.out}: ${render.size}×${render.size}, ${png.length} bytes`);
    }
  } finally {
    await chromium.close();
  }
}

await main();
