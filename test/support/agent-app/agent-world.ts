/**
 * TEST CODE ONLY: the whole product as a person meets it, for the end-to-end test of issue #13:
 * the real relay (a process) serving the product builds of the PWA at /app/, the widget at /widget/
 * and the demo shop at /demo/ (SEALDESK_STATIC_DIR, as `npm start` serves dist/), and real Chromium
 * with the product build of the extension loaded unpacked. Nothing is scripted: every runtime is
 * the real one. The one difference from a shipped extension: the loopback relay's host permission is
 * granted in the manifest (headless Chromium never answers permissions.request; build-agent-app.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, TargetType, type WebWorker } from 'puppeteer-core';
import { buildDemo } from '../../../scripts/widget/build-demo.js';
import { buildWidget } from '../../../scripts/widget/build-widget.js';
import { type RelayProcess, startRelayProcess } from '../../relay/support/relay-process.js';
import { launchChromium, type LaunchedChromium } from '../chromium.js';
import { OPEN_SHADOW } from '../widget/widget-world.js';
import { watchCsp } from './agent-app-driver.js';
import { buildExtension, buildPwa } from './build-agent-app.js';

export const PHONE = { width: 360, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const;

export interface AgentWorld {
  readonly relay: RelayProcess;
  readonly chromium: LaunchedChromium;
  readonly extensionId: string;
  /** A page of the extension (`sidepanel.html`, `inbox.html` …) at 360 px wide, as the side panel is. */
  extensionPage(path: string): Promise<Page>;
  /** The PWA at /app/ on the relay's origin, at phone size. */
  pwaPage(hash?: string): Promise<Page>;
  /**
   * The PWA at /app/ in a browser context of its own (its own storage: one more device; the PWA runs
   * one runtime per profile), at phone size unless `viewport` says otherwise.
   */
  pwaDevice(hash?: string, viewport?: typeof PHONE | { width: number; height: number }): Promise<Page>;
  /** The extension's background service worker (waits for one to be running). */
  serviceWorker(): Promise<WebWorker>;
  /** The demo shop with the business's snippet settings, in a separate profile (the visitor's browser). */
  visitorPage(account: string, pin: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startAgentWorld(): Promise<AgentWorld> {
  const tmp = await mkdtemp(join(tmpdir(), 'sealdesk-agent-world-'));
  const staticDir = join(tmp, 'static');
  await buildWidget({ outDir: join(staticDir, 'widget') });
  await buildDemo(join(staticDir, 'widget'), join(staticDir, 'demo'));
  await buildPwa({ scripted: false, outDir: join(staticDir, 'pwa') });
  const extension = await buildExtension({ browser: 'chrome', scripted: false, grantLoopbackRelay: true });
  const relay = await startRelayProcess(join(tmp, 'data'), { SEALDESK_STATIC_DIR: staticDir });
  const chromium = await launchChromium({ enableExtensions: true });
  const extensionId = await chromium.browser.installExtension(extension);
  let visitorContext: BrowserContext | undefined;

  async function page(
    url: string,
    viewport: typeof PHONE | { width: number; height: number },
    context?: BrowserContext,
  ): Promise<Page> {
    const opened = await (context ?? chromium.browser).newPage();
    await opened.setViewport(viewport);
    await watchCsp(opened);
    await opened.goto(url);
    return opened;
  }

  return {
    relay,
    chromium,
    extensionId,
    extensionPage: (path) => page(`chrome-extension://${extensionId}/${path}`, { width: 360, height: 740 }),
    pwaPage: (hash = '') => page(`${relay.origin}/app/${hash}`, PHONE),
    async pwaDevice(hash = '', viewport = PHONE) {
      return page(`${relay.origin}/app/${hash}`, viewport, await chromium.browser.createBrowserContext());
    },
    async serviceWorker() {
      const target = await chromium.browser.waitForTarget(
        (candidate) =>
          candidate.type() === TargetType.SERVICE_WORKER &&
          candidate.url().startsWith(`chrome-extension://${extensionId}/`),
        { timeout: 20_000 },
      );
      const worker = await target.worker();
      if (worker === null) throw new Error('the service worker target has no worker');
      return worker;
    },
    async visitorPage(account, pin) {
      visitorContext ??= await chromium.browser.createBrowserContext();
      const visitor = await visitorContext.newPage();
      await visitor.setViewport({ width: 1280, height: 800 });
      // Test only: the widget's root is closed; this forces it open so the test can type into it.
      await visitor.evaluateOnNewDocument(OPEN_SHADOW);
      const query = new URLSearchParams({ relay: relay.origin, account, pin });
      await visitor.goto(`${relay.origin}/demo/?${query.toString()}`);
      return visitor;
    },
    async close() {
      await chromium.close();
      await relay.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
