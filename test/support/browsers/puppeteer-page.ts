/** EnginePage over a puppeteer-core Page (Chromium over CDP, Firefox over WebDriver BiDi). */
import type { Frame, KeyInput, Page } from 'puppeteer-core';
import type { EngineName, EnginePage, Json, Key } from './engine.js';

function call(fn: string, args: readonly Json[]): string {
  return `(${fn})(...${JSON.stringify(args)})`;
}

export function puppeteerPage(engine: EngineName, page: Page): EnginePage {
  const frame = (prefix: string): Frame => {
    const found = page.frames().find((f) => f.url().startsWith(prefix));
    if (found === undefined)
      throw new Error(
        `no frame at ${prefix} (frames: ${page
          .frames()
          .map((f) => f.url())
          .join(', ')})`,
      );
    return found;
  };
  return {
    engine,
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
    },
    run: <T>(fn: string, ...args: readonly Json[]) => page.evaluate(call(fn, args)) as Promise<T>,
    runInFrame: <T>(prefix: string, fn: string, ...args: readonly Json[]) =>
      frame(prefix).evaluate(call(fn, args)) as Promise<T>,
    async click(x, y) {
      await page.mouse.click(x, y);
    },
    async type(text) {
      await page.keyboard.type(text);
    },
    async press(key: Key) {
      await page.keyboard.press(key satisfies KeyInput);
    },
    async setViewport(width, height) {
      await page.setViewport({ width, height });
    },
    async screenshot() {
      return new Uint8Array(await page.screenshot({ type: 'png' }));
    },
  };
}
