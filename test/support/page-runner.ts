/**
 * Runs a test entry inside real Chromium: bundles it with esbuild, serves it from 127.0.0.1 (a
 * secure context, so WebCrypto and IndexedDB work), opens it in a fresh headless Chromium and
 * returns the PortableResults the page publishes on `window[resultsKey]`.
 */
import { build } from 'esbuild';
import type { PortableResult } from '../cases/portable-case.js';
import { type EngineName, launchEngine, waitInPage } from './browsers/index.js';
import { launchChromium } from './chromium.js';
import { type StaticServer, serveStatic } from './static-server.js';

/** Bundles `entryPath` (esbuild, ESM) and serves it as the only script of `/` on 127.0.0.1. */
export async function serveBundledPage(entryPath: string): Promise<StaticServer> {
  const bundle = await build({
    entryPoints: [entryPath],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.contents;
  if (script === undefined) throw new Error('esbuild produced no bundle');
  return serveStatic(
    new Map([
      [
        '/',
        {
          contentType: 'text/html',
          body: '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>',
        },
      ],
      ['/page.js', { contentType: 'text/javascript', body: script }],
    ]),
  );
}

/** Runs `entryPath` in a fresh headless Chromium; returns what the page publishes on `window[resultsKey]`. */
export async function runPageEntry(entryPath: string, resultsKey: string): Promise<PortableResult[]> {
  const server = await serveBundledPage(entryPath);
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    page.on('pageerror', (error) => {
      console.error('page error:', error);
    });
    await page.goto(server.origin + '/');
    await page.waitForFunction(
      (key) => (window as unknown as Record<string, unknown>)[key] !== undefined,
      {},
      resultsKey,
    );
    return await page.evaluate(
      (key) => (window as unknown as Record<string, Promise<PortableResult[]> | undefined>)[key] ?? Promise.resolve([]),
      resultsKey,
    );
  } finally {
    await chromium.close();
    await server.close();
  }
}

/**
 * Runs `entryPath` in a fresh `engine` (Chromium, Firefox or WebKit, test/support/browsers/);
 * returns what the page publishes on `window[resultsKey]` once its promise settles.
 */
export async function runPageEntryIn(
  engine: EngineName,
  entryPath: string,
  resultsKey: string,
  timeoutMs = 60_000,
): Promise<PortableResult[]> {
  const server = await serveBundledPage(entryPath);
  const browser = await launchEngine(engine);
  try {
    const page = await browser.newPage();
    await page.goto(server.origin + '/');
    const settled = `(key) => {
      const pending = window[key];
      if (pending === undefined) return null;
      pending.then((r) => { window[key + ':settled'] = r; });
      return window[key + ':settled'] ?? null;
    }`;
    return await waitInPage<PortableResult[]>(page, settled, [resultsKey], timeoutMs);
  } finally {
    await browser.close();
    await server.close();
  }
}
