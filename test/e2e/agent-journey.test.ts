// Issue #13, done when: the whole product in real Chromium, nothing scripted. The extension (loaded
// unpacked) creates a business account on a real relay process; the PWA on the relay's origin is
// linked to it (invitation + the six digits compared on both screens); a visitor writes from the
// real widget on the demo shop; both agent apps show the conversation; the PWA replies and the
// extension shows the reply; the extension's service worker is killed mid-conversation and the next
// message still decrypts; a revoked device stops receiving; the PWA has no installability error.
// Screenshots (test-results/screenshots/e2e-*) show what a person sees at each step.
import type { Browser } from '@wxt-dev/browser';
import type { Page, WebWorker } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickText,
  cspViolations,
  fillAccountForm,
  openWidget,
  typeInto,
  shown,
  typeRecoveryGroups,
  visitorSees,
  visitorWrites,
  waitForText,
} from '../support/agent-app/agent-app-driver.js';
import { type AgentWorld, startAgentWorld } from '../support/agent-app/agent-world.js';
import { saveScreenshot } from '../support/agent-app/screenshots.js';

/** Screenshots are taken of the front tab (a background one may never paint). */
async function snap(page: Page, name: string): Promise<void> {
  await page.bringToFront();
  await saveScreenshot(page, name);
}

const STEP = 240_000;
let world: AgentWorld | undefined;

function w(): AgentWorld {
  if (world === undefined) throw new Error('the world did not start');
  return world;
}

/** The text of the widget's conversation log (inside its shadow root, forced open for the test). */
function visitorLog(page: Page): Promise<string> {
  return page.evaluate(
    () => document.querySelector('sealdesk-chat')?.shadowRoot?.querySelector('.log')?.textContent ?? '',
  );
}

async function agentReplies(page: Page, text: string): Promise<void> {
  await page.bringToFront();
  await page.waitForSelector('#composer-text', { visible: true });
  await page.type('#composer-text', text);
  await page.keyboard.press('Enter');
  await waitForText(page, text);
}

/** The extension's toolbar badge text, once it reads `wanted` (or what it reads after 15 s). */
async function badgeText(worker: WebWorker, wanted: string): Promise<string> {
  let text = '';
  for (let attempt = 0; attempt < 75 && text !== wanted; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    // The extension's service worker has the `chrome` namespace (typed by WXT's browser package).
    text = await worker.evaluate(() =>
      (globalThis as typeof globalThis & { chrome: typeof Browser }).chrome.action.getBadgeText({}),
    );
  }
  return text;
}

async function openFirstConversation(page: Page): Promise<void> {
  const link = await shown(page, 'a[href^="#/inbox/"]');
  await link.click();
  await page.waitForSelector('#composer-text', { visible: true });
}

beforeAll(async () => {
  world = await startAgentWorld();
}, 300_000);

afterAll(async () => {
  await world?.close();
});

describe('issue #13 end to end: extension, PWA and widget on a real relay', () => {
  let extension: Page;
  let pwa: Page;
  let visitor: Page;
  let account = '';
  let pin = '';

  it(
    'the extension creates a business account on the relay chosen at onboarding',
    async () => {
      extension = await w().extensionPage('sidepanel.html');
      await waitForText(extension, 'Create a business account');
      await snap(extension, 'e2e-extension-1-welcome');
      await clickText(extension, 'Create a business account');
      await fillAccountForm(extension, w().relay.origin);
      await snap(extension, 'e2e-extension-2-onboarding');
      await clickText(extension, 'Create account');
      await waitForText(extension, 'Shown only this once', 90_000);
      const recoveryKey = await extension.$$eval('ol[aria-label="Recovery key, in groups"] .sd-mono', (nodes) =>
        nodes.map((node) => node.textContent.trim()).join(' '),
      );
      expect(recoveryKey.split(' ').length).toBeGreaterThan(4);
      await snap(extension, 'e2e-extension-3-recovery-key');
      await extension.click('input[type="checkbox"]');
      await clickText(extension, 'Continue');
      await typeRecoveryGroups(extension, recoveryKey);
      await clickText(extension, 'Check');
      await waitForText(extension, 'Harbour Dental Clinic is ready');
      await snap(extension, 'e2e-extension-4-ready');
    },
    STEP,
  );

  it(
    'the business view gives the snippet with the account and its fingerprint pin',
    async () => {
      await extension.goto(`chrome-extension://${w().extensionId}/sidepanel.html#/business`);
      await extension.bringToFront();
      await extension.waitForFunction(
        () => document.querySelector('pre[aria-label="Embed snippet"]')?.textContent.includes('data-pin') === true,
        { timeout: 30_000 },
      );
      const snippet = await extension.$eval('pre[aria-label="Embed snippet"]', (node) => node.textContent);
      account = /data-account="([0-9a-f]{32})"/.exec(snippet)?.[1] ?? '';
      pin = /data-pin="([a-z2-7 ]+)"/.exec(snippet)?.[1] ?? '';
      expect(account).toMatch(/^[0-9a-f]{32}$/);
      expect(snippet).toContain(`src="${w().relay.origin}/widget/`);
      expect(snippet).toContain('integrity="sha384-');
      const fingerprint = await extension.$eval('[aria-label="Business fingerprint"]', (node) => node.textContent);
      expect(fingerprint.replace(/\s+/g, '')).toBe(pin.replace(/\s+/g, ''));
      await snap(extension, 'e2e-extension-5-business');
    },
    STEP,
  );

  it(
    'the PWA on the relay’s origin is linked through the invitation and the six digits on both screens',
    async () => {
      await extension.goto(`chrome-extension://${w().extensionId}/sidepanel.html#/team/link`);
      const invite = await shown(extension, '.invite__link');
      const invitation = await invite.evaluate((node) => node.textContent.trim());
      expect(invitation.startsWith(`${w().relay.origin}/app/#/link?code=`)).toBe(true);
      pwa = await w().pwaPage(invitation.slice(invitation.indexOf('#')));
      await waitForText(pwa, 'This device will join the team');
      await snap(pwa, 'e2e-pwa-1-link-invitation');
      await clickText(pwa, 'Continue');
      const codeOf = async (page: Page): Promise<string> => {
        const element = await shown(page, '.compare__code', 60_000);
        return element.evaluate((node) => node.textContent.replace(/\s+/g, ''));
      };
      const onPwa = await codeOf(pwa);
      const onExtension = await codeOf(extension);
      expect(onPwa).toMatch(/^\d{6}$/);
      expect(onPwa).toBe(onExtension);
      await snap(pwa, 'e2e-pwa-2-compare-codes');
      await snap(extension, 'e2e-extension-6-compare-codes');
      await clickText(pwa, 'Yes, the same');
      await clickText(extension, 'Yes, the same');
      await waitForText(pwa, 'This device is now part of your team', 60_000);
      await snap(pwa, 'e2e-pwa-3-linked');
    },
    STEP,
  );

  it(
    'a visitor writes from the widget on the demo shop; the extension and the PWA both show it',
    async () => {
      visitor = await w().visitorPage(account, pin);
      await openWidget(visitor);
      await visitorWrites(visitor, 'Hello, is the clinic open on Saturday?');
      await snap(visitor, 'e2e-visitor-1-widget');

      await extension.goto(`chrome-extension://${w().extensionId}/sidepanel.html#/inbox`);
      await waitForText(extension, 'Hello, is the clinic open on Saturday?', 30_000);
      await snap(extension, 'e2e-extension-7-inbox');
      // The toolbar badge counts the unread message (issue #15 item 4), set by the background.
      expect(await badgeText(await w().serviceWorker(), '1')).toBe('1');
      await pwa.goto(`${w().relay.origin}/app/#/inbox`);
      await waitForText(pwa, 'Hello, is the clinic open on Saturday?', 30_000);
      await snap(pwa, 'e2e-pwa-4-inbox');
    },
    STEP,
  );

  it(
    'the PWA replies: the visitor and the extension show the reply',
    async () => {
      await openFirstConversation(pwa);
      await waitForText(pwa, 'Hello, is the clinic open on Saturday?');
      await agentReplies(pwa, 'Yes, from 9 to 13. Would you like a time?');
      await visitorSees(visitor, 'Yes, from 9 to 13. Would you like a time?');
      await snap(pwa, 'e2e-pwa-5-conversation');
      await openFirstConversation(extension);
      await waitForText(extension, 'Yes, from 9 to 13. Would you like a time?', 30_000);
      await snap(extension, 'e2e-extension-8-conversation');
    },
    STEP,
  );

  it(
    'the extension’s service worker is killed mid-conversation; the next message still decrypts there',
    async () => {
      const worker = await w().serviceWorker();
      await worker.close();
      await visitorWrites(visitor, 'Can I bring my daughter too?');
      // The side panel's bridge reconnects, which wakes a new worker; the runtime reloads its keys and
      // ratchet states from IndexedDB, reconnects and decrypts the message the relay kept.
      await waitForText(extension, 'Can I bring my daughter too?', 60_000);
      await w().serviceWorker();
      await waitForText(pwa, 'Can I bring my daughter too?', 30_000);
    },
    STEP,
  );

  it(
    'team work across the apps (#15): the extension assigns the chat to Maria and writes a note, the PWA shows both; a canned reply made on the PWA is inserted with "/" in the extension',
    async () => {
      const note = 'Booked for Saturday 10:00; check her insurance card.';
      const canned = 'We are open on Saturdays from 9 to 13.';
      // The extension (the owner) assigns the conversation to the PWA's agent and writes a note.
      await extension.bringToFront();
      await extension.focus('[data-team-control="assignee"]');
      await extension.keyboard.press('Enter');
      await extension.waitForSelector('[role="menuitemradio"]', { visible: true });
      const options = await extension.$$eval('[role="menuitemradio"]', (nodes) =>
        nodes.map((n) => n.textContent.trim()),
      );
      const maria = options.findIndex((text) => text.startsWith('Maria Santos'));
      expect(maria).toBeGreaterThan(0);
      for (let i = 0; i < maria; i++) await extension.keyboard.press('ArrowDown');
      await extension.keyboard.press('Enter');
      await clickText(extension, 'Internal note');
      await extension.type('#composer-text', note);
      await extension.keyboard.press('Enter');
      await extension.waitForSelector('.message--note');
      // The PWA (Maria) learns both live, from sealed team events (PROTOCOL §9.8, §16.11).
      await waitForText(pwa, note, 30_000);
      try {
        await pwa.waitForFunction(
          () => document.querySelector('[data-team-control="assignee"]')?.textContent.includes('(you)') === true,
          { timeout: 30_000 },
        );
      } catch (error) {
        const label = (page: Page): Promise<string> =>
          page.evaluate(() => document.querySelector('[data-team-control="assignee"]')?.textContent ?? '(none)');
        throw new Error(`PWA shows "${await label(pwa)}", extension "${await label(extension)}"`, { cause: error });
      }
      await snap(pwa, 'e2e-pwa-5b-team-note');
      // Maria saves a canned reply on the phone; the owner inserts it with "/" and sends it.
      await pwa.goto(`${w().relay.origin}/app/#/canned`);
      await clickText(pwa, 'New reply');
      await typeInto(pwa, 'Shortcut', 'saturday');
      await typeInto(pwa, 'Reply text', canned);
      await clickText(pwa, 'Save');
      await pwa.waitForSelector('::-p-xpath(//li[contains(., "/saturday")])');
      await extension.bringToFront();
      await clickText(extension, 'Reply');
      await extension.type('#composer-text', '/');
      const search = await extension.waitForSelector('input[role="combobox"]', { visible: true, timeout: 30_000 });
      await search?.type('saturday');
      await extension.waitForFunction(
        () => [...document.querySelectorAll('[role="option"]')].some((o) => o.textContent.includes('/saturday')),
        { timeout: 30_000 },
      );
      await extension.keyboard.press('Enter');
      expect(await extension.$eval('#composer-text', (el) => (el as HTMLTextAreaElement).value)).toBe(canned);
      await extension.keyboard.press('Enter');
      await visitorSees(visitor, canned);
      // The note never reaches the visitor.
      expect(await visitorLog(visitor)).not.toContain('insurance card');
      await pwa.goto(`${w().relay.origin}/app/#/inbox`);
      await openFirstConversation(pwa);
      await waitForText(pwa, canned, 30_000);
    },
    STEP,
  );

  it(
    'the owner revokes the PWA: it receives nothing afterwards and says it was removed, the extension still does',
    async () => {
      await extension.goto(`chrome-extension://${w().extensionId}/sidepanel.html#/team`);
      const revoke = await shown(extension, '.device__revoke');
      await revoke.click();
      await clickText(extension, 'Revoke device');
      await extension.bringToFront();
      try {
        await extension.waitForFunction(() => document.querySelectorAll('.device__revoke').length === 0, {
          timeout: 30_000,
        });
      } catch (error) {
        const text = await extension.evaluate(() => document.body.innerText);
        throw new Error(`the revoked device stayed in the list; the page shows:\n${text}`, { cause: error });
      }
      await snap(extension, 'e2e-extension-9-team-after-revoke');
      // The owner's next message names the new device list: the visitor fetches it (PROTOCOL §7.6).
      await extension.goto(`chrome-extension://${w().extensionId}/sidepanel.html#/inbox`);
      await openFirstConversation(extension);
      await agentReplies(extension, 'Of course, she is welcome.');
      await visitorSees(visitor, 'Of course, she is welcome.');
      await visitorWrites(visitor, 'Thank you, see you on Saturday.');
      await waitForText(extension, 'Thank you, see you on Saturday.', 30_000);
      // The revoked PWA, started afresh, says it was removed (PROTOCOL §4.8: the verified list no longer
      // names it) instead of showing its screens, and nothing sent after reached it.
      await pwa.reload();
      await waitForText(pwa, 'This device was removed', 30_000);
      expect(await pwa.evaluate(() => document.body.innerText)).not.toContain('Thank you, see you on Saturday.');
      expect(await pwa.evaluate(() => document.activeElement?.textContent)).toBe('This device was removed');
      expect(await visitorLog(visitor)).toContain('Thank you, see you on Saturday.');
      await snap(pwa, 'e2e-pwa-6-after-revoke');
    },
    STEP,
  );

  it('the PWA reports no installability error, and no page saw a CSP violation', async () => {
    const session = await pwa.createCDPSession();
    const { installabilityErrors } = await session.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    expect(await cspViolations(pwa)).toEqual([]);
    expect(await cspViolations(extension)).toEqual([]);
  });
});
