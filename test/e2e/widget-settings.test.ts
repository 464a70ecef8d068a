// Issue #15 item 5 and item 4 (PWA side) in real Chromium, nothing scripted: the PWA creates a
// business on a real relay process; on the "Chat widget" page the owner edits the greeting and the
// colour, the live preview (the widget's own style sheets, in a shadow root) follows as they type,
// the settings are signed and published, and the real widget on the demo shop greets the visitor
// with the new text in the new colour. Then the push setting: Chromium cannot subscribe here (its
// vendor's push service is unreachable), and the app says so in plain words.
// That a configuration signed by another key is refused: test/unit/protocol/widget-config.test.ts
// ("signed by another account's key") and test/runtime/widget-config.test.ts through the runtimes.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickText,
  cspViolations,
  fillAccountForm,
  openWidget,
  typeRecoveryGroups,
  visitorSees,
  waitForText,
} from '../support/agent-app/agent-app-driver.js';
import { type AgentWorld, startAgentWorld } from '../support/agent-app/agent-world.js';
import { saveScreenshot } from '../support/agent-app/screenshots.js';

const STEP = 240_000;
const GREETING = 'Welcome to Harbour Dental! Ask us anything about your appointment.';
const COLOUR = '#0f766e';
let world: AgentWorld | undefined;

function w(): AgentWorld {
  if (world === undefined) throw new Error('the world did not start');
  return world;
}

/** What the preview shows: its greeting and the colour its shadow host carries. */
function preview(page: Page): Promise<{ greeting: string; accent: string; business: string }> {
  return page.evaluate(() => {
    const host = document.querySelector<HTMLElement>('[data-testid="widget-preview"]');
    const root = host?.shadowRoot;
    return {
      greeting: root?.querySelector('[data-testid="preview-greeting"]')?.textContent ?? '',
      business: root?.querySelector('[data-testid="preview-business"]')?.textContent ?? '',
      accent: host?.style.getPropertyValue('--sd-accent') ?? '',
    };
  });
}

async function replaceText(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector, { count: 3 });
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.type(selector, text);
}

beforeAll(async () => {
  world = await startAgentWorld();
}, 300_000);

afterAll(async () => {
  await world?.close();
});

describe('issue #15.5: the widget settings page, end to end', () => {
  let pwa: Page;
  let account = '';
  let pin = '';

  it(
    'the PWA creates a business account',
    async () => {
      pwa = await w().pwaPage();
      await pwa.setViewport({ width: 1280, height: 1000 });
      await clickText(pwa, 'Create a business account');
      await fillAccountForm(pwa, w().relay.origin);
      await clickText(pwa, 'Create account');
      await waitForText(pwa, 'Shown only this once', 90_000);
      const recoveryKey = await pwa.$$eval('ol[aria-label="Recovery key, in groups"] .sd-mono', (nodes) =>
        nodes.map((node) => node.textContent.trim()).join(' '),
      );
      await pwa.click('input[type="checkbox"]');
      await clickText(pwa, 'Continue');
      await typeRecoveryGroups(pwa, recoveryKey);
      await clickText(pwa, 'Check');
      await waitForText(pwa, 'Harbour Dental Clinic is ready', 30_000);
    },
    STEP,
  );

  it(
    'edits greeting and colour with a live preview, publishes, and the snippet stays on the page',
    async () => {
      await pwa.goto(`${w().relay.origin}/app/#/business`);
      await pwa.waitForSelector('#widget-greeting', { visible: true, timeout: 30_000 });
      // The first configuration, published with the account (PROTOCOL §19).
      expect(await preview(pwa)).toMatchObject({
        greeting: 'Hello! How can we help you today?',
        business: 'Harbour Dental Clinic',
      });

      await replaceText(pwa, '#widget-greeting', GREETING);
      await replaceText(pwa, '#widget-colour', COLOUR);
      await pwa.waitForFunction(
        (greeting: string, colour: string) => {
          const host = document.querySelector<HTMLElement>('[data-testid="widget-preview"]');
          return (
            host?.shadowRoot?.querySelector('[data-testid="preview-greeting"]')?.textContent === greeting &&
            host.style.getPropertyValue('--sd-accent') === colour
          );
        },
        { timeout: 10_000 },
        GREETING,
        COLOUR,
      );
      // The preview's launcher is drawn by the widget's own style sheet in the chosen colour.
      const launcherColour = await pwa.evaluate(() => {
        const launcher = document
          .querySelector('[data-testid="widget-preview"]')
          ?.shadowRoot?.querySelector('.launcher');
        return launcher === null || launcher === undefined ? '' : getComputedStyle(launcher).backgroundColor;
      });
      expect(launcherColour).toBe('rgb(15, 118, 110)');
      expect(await pwa.$eval('[data-testid="colour-advice"]', (n) => n.textContent)).toMatch(/meets WCAG AA/);

      // The preview speaks the chosen language with the widget's own pack, and English again after.
      for (const [language, title] of [
        ['de', 'Chat mit '],
        ['en', 'Chat with '],
      ] as const) {
        await pwa.select('#widget-language', language);
        await pwa.waitForFunction(
          (prefix: string) =>
            document
              .querySelector('[data-testid="widget-preview"]')
              ?.shadowRoot?.querySelector('.chat')
              ?.getAttribute('aria-label')
              ?.startsWith(prefix) === true,
          { timeout: 10_000 },
          title,
        );
      }

      // A rule of PROTOCOL §19.2 is shown next to its field, and Publish waits for a fix.
      await replaceText(pwa, '#widget-greeting', ' ');
      await waitForText(pwa, 'The greeting is empty.');
      expect(await pwa.$eval('button[type="submit"]', (b) => b.disabled)).toBe(true);
      await replaceText(pwa, '#widget-greeting', GREETING);

      await clickText(pwa, 'Publish');
      await pwa.waitForSelector('[data-testid="widget-published"]', { visible: true, timeout: 30_000 });
      await pwa.waitForFunction(
        () => document.querySelector('pre[aria-label="Embed snippet"]')?.textContent.includes('data-pin') === true,
        { timeout: 30_000 },
      );
      const snippet = await pwa.$eval('pre[aria-label="Embed snippet"]', (node) => node.textContent);
      account = /data-account="([0-9a-f]{32})"/.exec(snippet)?.[1] ?? '';
      pin = /data-pin="([a-z2-7 ]+)"/.exec(snippet)?.[1] ?? '';
      expect(account).toMatch(/^[0-9a-f]{32}$/);
      expect(snippet).toContain('integrity="sha384-');
      await pwa.evaluate(() => {
        window.scrollTo(0, 0);
      });
      await saveScreenshot(pwa, 'settings-widget-editor');
      expect(await cspViolations(pwa)).toEqual([]);
    },
    STEP,
  );

  it(
    'the real widget on the demo shop greets the visitor with the published text and colour',
    async () => {
      const visitor = await w().visitorPage(account, pin);
      await openWidget(visitor);
      await visitorSees(visitor, GREETING);
      const accent = await visitor.evaluate(() => {
        const head = document.querySelector('sealdesk-chat')?.shadowRoot?.querySelector('.head');
        return head === null || head === undefined ? '' : getComputedStyle(head).backgroundColor;
      });
      expect(accent).toBe('rgb(15, 118, 110)');
      await saveScreenshot(visitor, 'settings-widget-on-demo-shop');
      await visitor.close();
    },
    STEP,
  );

  it(
    'the push setting says plainly that this browser cannot subscribe (no push service reachable)',
    async () => {
      await w()
        .chromium.browser.defaultBrowserContext()
        .setPermission(w().relay.origin, { permission: { name: 'notifications' }, state: 'granted' });
      await pwa.goto(`${w().relay.origin}/app/#/settings`);
      // The box is disabled while the page reads the current subscription; a click then does nothing.
      const toggle = await pwa.waitForSelector('[data-testid="push-toggle"]:not([disabled])', {
        visible: true,
        timeout: 30_000,
      });
      await toggle?.click();
      await waitForText(pwa, 'This browser cannot receive push notifications', 60_000);
      expect(await pwa.$eval('[data-testid="push-toggle"]', (n) => (n as HTMLInputElement).checked)).toBe(false);
      await saveScreenshot(pwa, 'settings-push-unavailable');
    },
    STEP,
  );
});
