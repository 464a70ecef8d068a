// The agent extension in real Chromium: built by WXT, loaded unpacked, its MV3 service worker
// killed and woken. The shipped build (the real agent runtime: its whole journey against a real
// relay is test/e2e-agent/) and a test build whose runtime factory is the scripted test runtime
// (test/support/agent-app/), for UI states a real relay cannot easily produce (a taken username,
// a protocol alert, a visitor typing) and the screens they show.
import { TargetType, type Page, type WebWorker } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations as expectAccessible } from '../support/agent-app/axe.js';
import { buildExtension } from '../support/agent-app/build-agent-app.js';
import {
  clickText,
  cspViolations,
  fillAccountForm,
  typeRecoveryGroups,
  waitForText,
  watchCsp,
} from '../support/agent-app/agent-app-driver.js';
import { SCRIPTED_RECOVERY_KEY, TAKEN_USERNAME } from '../support/agent-app/scripted-agent-runtime.js';
import { CONVERSATIONS } from '../support/agent-app/scripted-demo-data.js';
import { saveScreenshot } from '../support/agent-app/screenshots.js';
import { launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { typeInto } from '../support/agent-app/agent-app-driver.js';

const BUILD_TIMEOUT = 240_000;
let chromium: LaunchedChromium | undefined;
let shippedId = '';
let scriptedId = '';

function browser(): LaunchedChromium['browser'] {
  if (chromium === undefined) throw new Error('Chromium did not start');
  return chromium.browser;
}

async function serviceWorker(extensionId: string): Promise<WebWorker> {
  const target = await browser().waitForTarget(
    (candidate) =>
      candidate.type() === TargetType.SERVICE_WORKER &&
      candidate.url().startsWith(`chrome-extension://${extensionId}/`),
    { timeout: 20_000 },
  );
  const worker = await target.worker();
  if (worker === null) throw new Error('the service worker target has no worker');
  return worker;
}

async function openPage(extensionId: string, path: string, width: number, height: number): Promise<Page> {
  const page = await browser().newPage();
  await page.setViewport({ width, height });
  await watchCsp(page);
  await page.goto(`chrome-extension://${extensionId}/${path}`);
  return page;
}

beforeAll(async () => {
  const shipped = await buildExtension({ browser: 'chrome', scripted: false });
  const scripted = await buildExtension({ browser: 'chrome', scripted: true, grantLoopbackRelay: true });
  chromium = await launchChromium({ enableExtensions: true });
  shippedId = await chromium.browser.installExtension(shipped);
  scriptedId = await chromium.browser.installExtension(scripted);
}, BUILD_TIMEOUT);

afterAll(async () => {
  await chromium?.close();
});

describe('the shipped extension build', () => {
  it('loads unpacked and its background service worker starts the real runtime for the side panel', async () => {
    await serviceWorker(shippedId);
    const page = await openPage(shippedId, 'sidepanel.html', 400, 760);
    // The runtime opened its (empty) IndexedDB database and says this device is not set up.
    await waitForText(page, 'Create a business account');
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  });

  it('answers again after its service worker is killed (the next message wakes a new one)', async () => {
    const worker = await serviceWorker(shippedId);
    await worker.close();
    const page = await openPage(shippedId, 'sidepanel.html', 400, 760);
    await waitForText(page, 'Create a business account');
    await serviceWorker(shippedId);
    await page.close();
  });
});

describe('the extension driven by the scripted test runtime', () => {
  let panel: Page;

  it('shows the welcome screen to a device that is not set up', async () => {
    panel = await openPage(scriptedId, 'sidepanel.html', 400, 800);
    await waitForText(panel, 'Create a business account');
    await expectAccessible(panel);
    await saveScreenshot(panel, 'extension-1-welcome');
  });

  it('onboarding: refuses a weak password and a taken username with words a person can act on', async () => {
    await clickText(panel, 'Create a business account');
    await fillAccountForm(panel, 'http://127.0.0.1:9');
    await typeInto(panel, 'Password', 'short');
    await clickText(panel, 'Create account');
    await waitForText(panel, 'Use at least 12 characters');
    await typeInto(panel, 'Password', 'tide pool lantern orchard');
    await typeInto(panel, 'Username', TAKEN_USERNAME);
    await clickText(panel, 'Create account');
    await waitForText(panel, 'Choose another username for this relay.');
    await expectAccessible(panel);
    await saveScreenshot(panel, 'extension-2-onboarding-error');
  });

  it('onboarding: key stretching shows progress, then the recovery key once', async () => {
    await typeInto(panel, 'Username', 'harbour-dental');
    await clickText(panel, 'Create account');
    await panel.waitForSelector('[role="progressbar"]');
    await saveScreenshot(panel, 'extension-3-onboarding-progress');
    await waitForText(panel, 'Shown only this once');
    const shown = await panel.$$eval('ol[aria-label="Recovery key, in groups"] .sd-mono', (nodes) =>
      nodes.map((node) => node.textContent.trim()).join(' '),
    );
    expect(shown).toBe(SCRIPTED_RECOVERY_KEY);
    await expectAccessible(panel);
    await saveScreenshot(panel, 'extension-4-recovery-key');
  });

  it('onboarding: the owner types two groups back before the account is ready', async () => {
    await panel.click('input[type="checkbox"]');
    await clickText(panel, 'Continue');
    await waitForText(panel, 'Check your copy');
    await typeRecoveryGroups(panel, 'XXXX '.repeat(13).trim());
    await clickText(panel, 'Check');
    await waitForText(panel, 'This group does not match.');
    await typeRecoveryGroups(panel, SCRIPTED_RECOVERY_KEY);
    await clickText(panel, 'Check');
    await waitForText(panel, 'Harbour Dental Clinic is ready');
    await expectAccessible(panel);
    await saveScreenshot(panel, 'extension-5-account-ready');
  });

  it('inbox: conversations sorted by activity with unread counts and previews', async () => {
    await clickText(panel, 'Open the inbox');
    await waitForText(panel, 'Can I send you my new insurance card?');
    const names = await panel.$$eval('.row__name', (nodes) => nodes.map((node) => node.textContent.trim()));
    expect(names).toEqual(['Visitor 3FA2', 'Visitor 9B41', 'Visitor C7D8']);
    await expectAccessible(panel);
    await saveScreenshot(panel, 'extension-6-inbox-side-panel');
  });

  it('conversation: history, typing indicator, a reply with delivery marks, an alert in plain words', async () => {
    const tab = await openPage(scriptedId, `inbox.html#/inbox/${CONVERSATIONS.invoice}`, 1280, 800);
    await waitForText(tab, 'A message may be missing');
    await tab.goto(`chrome-extension://${scriptedId}/inbox.html#/inbox/${CONVERSATIONS.booking}`);
    await waitForText(tab, 'Visitor 3FA2 is typing…');
    await tab.type('#composer-text', 'Yes, please send a photo of both sides here. It stays encrypted end to end.');
    await tab.keyboard.press('Enter');
    await tab.waitForSelector('.message--self:last-of-type .status--read');
    expect(await cspViolations(tab)).toEqual([]);
    await expectAccessible(tab);
    await saveScreenshot(tab, 'extension-7-conversation-tab');
    await tab.close();
  });

  it('team (#15.1-2): assignee picker and status by keyboard, an internal note set apart, inbox filters', async () => {
    const tab = await openPage(scriptedId, `inbox.html#/inbox/${CONVERSATIONS.invoice}`, 1280, 800);
    await waitForText(tab, 'Assigned to');
    // Keyboard: the picker opens with Enter, the arrow keys move, Enter picks.
    await tab.focus('[data-team-control="assignee"]');
    await tab.keyboard.press('Enter');
    await tab.waitForSelector('[role="menuitemradio"]', { visible: true });
    const options = await tab.$$eval('[role="menuitemradio"]', (nodes) => nodes.map((node) => node.textContent.trim()));
    expect(options[0]).toBe('Unassigned');
    const mine = options.findIndex((text) => text.endsWith('(you)'));
    expect(mine).toBeGreaterThan(0);
    // The menu opens with its first item focused.
    for (let i = 0; i < mine; i++) await tab.keyboard.press('ArrowDown');
    await tab.keyboard.press('Enter');
    await tab.waitForFunction(
      () => document.querySelector('[data-team-control="assignee"]')?.textContent.includes('(you)') === true,
    );
    await tab.focus('[data-team-control="status"]');
    await tab.keyboard.press('Enter');
    await tab.waitForSelector('[role="menuitemradio"]', { visible: true });
    const statuses = await tab.$$eval('[role="menuitemradio"]', (nodes) =>
      nodes.map((node) => node.textContent.trim()),
    );
    const snooze = statuses.indexOf('Snooze for an hour');
    expect(snooze).toBeGreaterThan(0);
    for (let i = 0; i < snooze; i++) await tab.keyboard.press('ArrowDown');
    await tab.keyboard.press('Enter');
    await tab.waitForFunction(
      () => document.querySelector('[data-team-control="status"]')?.textContent.includes('Snoozed') === true,
    );
    // An internal note: the composer's note mode, shown apart and marked as the team's only.
    await clickText(tab, 'Internal note');
    await waitForText(tab, 'It is never sent to the visitor.');
    await tab.type('#composer-text', 'Refund approved by Olga; waiting for the bank.');
    await tab.keyboard.press('Enter');
    await tab.waitForSelector('.message--note:last-of-type');
    const noteHeader = await tab.$eval('.message--note:last-of-type .message__author', (node) => node.textContent);
    expect(noteHeader).toContain('Internal note — only your team sees this');
    expect(await cspViolations(tab)).toEqual([]);
    await expectAccessible(tab);
    await saveScreenshot(tab, 'extension-8-conversation-team-note');
    // The inbox filters: the snoozed conversation is under Snoozed (and Mine no more: it is not open).
    await tab.goto(`chrome-extension://${scriptedId}/inbox.html#/inbox`);
    await waitForText(tab, 'Unassigned');
    const tabs = await tab.$$eval('.list [role="tab"]', (nodes) => nodes.map((node) => node.textContent.trim()));
    expect(tabs.map((t) => t.replace(/\s*\d+$/, ''))).toEqual([
      'All open',
      'Mine',
      'Unassigned',
      'Snoozed',
      'Resolved',
    ]);
    await clickText(tab, 'Snoozed');
    await tab.waitForFunction(
      (href) => [...document.querySelectorAll('a.row')].some((a) => a.getAttribute('href')?.endsWith(href) === true),
      {},
      CONVERSATIONS.invoice,
    );
    await expectAccessible(tab);
    await saveScreenshot(tab, 'extension-9-inbox-filters');
    await tab.close();
  });

  it('the service worker killed mid-conversation: the page reconnects and the next message goes through', async () => {
    await panel.goto(`chrome-extension://${scriptedId}/sidepanel.html#/inbox/${CONVERSATIONS.booking}`);
    await waitForText(panel, 'Booked: Thursday 16:15');
    const worker = await serviceWorker(scriptedId);
    await worker.close();
    // This shows the bridge and the UI surviving the restart; the real runtime's persistence (keys and
    // ratchet states in IndexedDB, the next message still decrypting) is test/e2e/agent-journey.test.ts.
    await serviceWorker(scriptedId);
    await panel.type('#composer-text', 'Are you still there?');
    await panel.keyboard.press('Enter');
    await panel.waitForFunction(() => document.body.innerText.includes('Are you still there?'), { timeout: 15_000 });
  });
});
