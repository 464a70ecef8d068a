/**
 * Reads the QR code the agent app draws (ui/components/qr-code.vue: one SVG path of 1×1 module
 * squares) back into text with jsQR, as a phone camera would: the modules are taken from the path,
 * drawn as black and white pixels, and decoded. Proves the code on the screen says what it should.
 */
import jsQR from 'jsqr';
import type { Page } from 'puppeteer-core';

const PIXELS_PER_MODULE = 4;

export async function readQrCode(page: Page, selector = 'svg.qr'): Promise<string> {
  const handle = await page.waitForSelector(`${selector} path`, { visible: true });
  if (handle === null) throw new Error(`no QR code at ${selector}`);
  const { path, extent } = await handle.evaluate((element) => ({
    path: element.getAttribute('d') ?? '',
    extent: element.ownerSVGElement?.viewBox.baseVal.width ?? 0,
  }));
  await handle.dispose();
  const side = extent * PIXELS_PER_MODULE;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const [, x, y] of path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < PIXELS_PER_MODULE; dy++)
      for (let dx = 0; dx < PIXELS_PER_MODULE; dx++) {
        const at = ((Number(y) * PIXELS_PER_MODULE + dy) * side + Number(x) * PIXELS_PER_MODULE + dx) * 4;
        pixels.fill(0, at, at + 3);
      }
  }
  const decoded = jsQR(pixels, side, side);
  if (decoded === null) throw new Error('the QR code on the screen does not decode');
  return decoded.data;
}
