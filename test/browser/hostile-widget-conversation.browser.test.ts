// Issue #16 item 2 in real browsers: a live conversation between the product widget (demo shop, SRI
// snippet) and the business's agent runtime, both talking to a real relay only through the hostile
// proxy, which injects a message as the business, replays, drops and reorders replies, and swaps a
// chunk of a file. What the visitor SEES is asserted: the attacker's content never shown, the named
// alert in plain words, and the next genuine reply shown. All attacks in Chromium and Firefox, the
// ones that matter most in WebKit (slow under Xvfb). The same attacks against the runtimes alone:
// test/hostile/message-attacks.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { secureRandom } from '../../shared/crypto/index.js';
import { ENGINES, type EngineBrowser, type EnginePage, launchEngine, waitInPage } from '../support/browsers/index.js';
import { HeldFrames, interceptDelivers, toVisitor, withAttackerTail } from '../support/hostile-proxy-frames.js';
import {
  ATTACKER_TEXT,
  type HostileWidgetWorld,
  IN_SHADOW,
  alertShown,
  alertsShown,
  chatReady,
  logShows,
  logText,
  openShop,
  startHostileWidgetWorld,
  timesShown,
  visitorSays,
} from '../support/widget/hostile-widget-world.js';
import { waitFor } from '../runtime/support/runtime-world.js';

/** A 1×1 PNG: a genuine picture the widget draws inline. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
/** Sealed attachment chunks are 65,536 bytes (PROTOCOL §13). */
const CHUNK = 65_536;
/** The attacks run in WebKit too; every attack runs in Chromium and Firefox. */
const IN_WEBKIT: ReadonlySet<string> = new Set(['inject', 'drop', 'attachment']);

let hostile: HostileWidgetWorld;

beforeAll(async () => {
  hostile = await startHostileWidgetWorld();
});

afterAll(async () => {
  await hostile.close();
});

afterEach(() => {
  hostile.proxy.honest();
});

for (const engine of ENGINES) {
  describe(`a hostile relay attacks a live conversation, in ${engine}`, () => {
    let browser: EngineBrowser;
    let page: EnginePage;
    let conversationId = '';
    const attack = (name: string, title: string, body: () => Promise<void>): void => {
      if (engine !== 'webkit' || IN_WEBKIT.has(name)) it(title, body);
    };

    /** The business replies; resolves when the visitor's log shows it. */
    async function businessSays(text: string): Promise<void> {
      await hostile.business.agent.runtime.sendText(conversationId, text);
      await logShows(page, text);
    }

    beforeAll(async () => {
      browser = await launchEngine(engine);
      page = await browser.newPage();
      await page.setViewport(1280, 800);
      await openShop(page, hostile.shopUrl());
      await chatReady(page);
      conversationId = await visitorSays(page, hostile.business, `Hello from ${engine}: where is my parcel?`);
      await businessSays('Let me check.');
    });

    afterAll(async () => {
      await browser.close();
    });

    attack(
      'inject',
      'F3 a message injected as the business is refused with "A forged message was refused"; the genuine reply and the next are shown',
      async () => {
        hostile.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, (frame) => [
          { ...frame, envelope: withAttackerTail(frame.envelope, ATTACKER_TEXT), cursor: 0 },
          frame,
        ]);
        await businessSays('Your parcel left this morning.');
        await alertShown(page, 'A forged message was refused');
        await businessSays('Anything else?');
        expect(await logText(page)).not.toContain(ATTACKER_TEXT);
        expect(await timesShown(page, 'Your parcel left this morning.')).toBe(1);
      },
    );

    attack(
      'replay',
      'F9 a reply delivered twice is shown once, with "A repeated message was ignored"; the next is shown',
      async () => {
        hostile.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, (frame) => [frame, { ...frame }]);
        await businessSays('Refund of 20 EUR sent.');
        await alertShown(page, 'A repeated message was ignored');
        await businessSays('Bye for now.');
        expect(await timesShown(page, 'Refund of 20 EUR sent.')).toBe(1);
      },
    );

    attack(
      'drop',
      'F9 a reply the proxy drops is "A message may be missing" once the next arrives; the next is shown',
      async () => {
        hostile.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, () => []);
        await hostile.business.agent.runtime.sendText(conversationId, 'This one is dropped.');
        await businessSays('This one arrives.');
        await alertShown(page, 'A message may be missing');
        expect(await logText(page)).not.toContain('This one is dropped.');
      },
    );

    attack('reorder', 'F9 two replies delivered in reverse are shown in the order sent, without an alert', async () => {
      const alertsBefore = (await alertsShown(page)).length;
      const held = new HeldFrames();
      hostile.proxy.relayFrameHook = interceptDelivers(toVisitor, 2, (frame, socket) => held.hold(frame, socket));
      await hostile.business.agent.runtime.sendText(conversationId, 'first of two');
      await hostile.business.agent.runtime.sendText(conversationId, 'second of two');
      await waitFor(() => held.frames.length === 2, 'both replies held');
      held.release(1);
      held.release(0);
      await logShows(page, 'second of two');
      await logShows(page, 'first of two');
      const log = await logText(page);
      expect(log.indexOf('first of two')).toBeLessThan(log.indexOf('second of two'));
      await businessSays('third of two');
      expect((await alertsShown(page)).length).toBe(alertsBefore);
    });

    attack(
      'attachment',
      'F16 a file with one chunk swapped in from another is refused, "A file was damaged or altered"; the next picture is shown',
      async () => {
        const { business, proxy } = hostile;
        const uploads: { path: string; body: Uint8Array }[] = [];
        proxy.httpHook = (exchange) => {
          if (exchange.method === 'PUT' && exchange.path.includes('/attachments/'))
            uploads.push({ path: exchange.path, body: exchange.requestBody });
          const [other, target] = uploads;
          if (exchange.method !== 'GET' || other === undefined || exchange.path !== target?.path) return undefined;
          const spliced = new Uint8Array(exchange.body);
          spliced.set(other.body.subarray(CHUNK, 2 * CHUNK), CHUNK);
          return { ...exchange, body: spliced };
        };
        const picture = (name: string, bytes: Uint8Array) =>
          business.agent.runtime.sendAttachment(
            conversationId,
            new Blob([new Uint8Array(bytes)], { type: 'image/png' }),
            name,
          );
        await picture(`other-${engine}.png`, secureRandom(150_000));
        await picture(`invoice-${engine}.png`, secureRandom(150_000));
        await alertShown(page, 'A file was damaged or altered');
        // Not drawn: the picture's place offers only the download button.
        expect(
          await page.run<number>(
            `(alt) => ${IN_SHADOW}.querySelectorAll('img[alt="' + alt + '"]').length`,
            `invoice-${engine}.png`,
          ),
        ).toBe(0);
        proxy.honest();
        await picture(`receipt-${engine}.png`, PIXEL);
        await waitInPage(
          page,
          `(alt) => ${IN_SHADOW}.querySelector('img[alt="' + alt + '"]')?.naturalWidth === 1`,
          [`receipt-${engine}.png`],
          30_000,
        );
      },
    );
  });
}
