// The agent PWA in real Chromium, served under /app/ on 127.0.0.1 as the relay will serve it:
// installable (no installability error), offline shell from its workbox service worker, one runtime
// per browser (a second tab is told), and, driven by the scripted test runtime, usable at phone size.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickText,
  cspViolations,
  fillAccountForm,
  typeInto,
  typeRecoveryGroups,
  waitForText,
  watchCsp,
} from '../support/agent-app/agent-app-driver.js';
import { expectNoAxeViolations as expectAccessible } from '../support/agent-app/axe.js';
import { buildPwa } from '../support/agent-app/build-agent-app.js';
import {
  DECLINED_AGENT,
  SCRIPTED_LINK_PAYLOAD_TEXT,
  SCRIPTED_RECOVERY_KEY,
} from '../support/agent-app/scripted-agent-runtime.js';
import { readQrCode } from '../support/agent-app/read-qr-code.js';
import { CONVERSATIONS } from '../support/agent-app/scripted-demo-data.js';
import { saveScreenshot } from '../support/agent-app/screenshots.js';
import { serveDirectory } from '../support/agent-app/serve-directory.js';
import { launchChromium, type LaunchedChromium } from '../support/chromium.js';
import type { StaticServer } from '../support/static-server.js';

const PHONE = { width: 360, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const;
let chromium: LaunchedChromium | undefined;
let shipped: StaticServer | undefined;
let scripted: StaticServer | undefined;

function browser(): LaunchedChromium['browser'] {
  if (chromium === undefined) throw new Error('Chromium did not start');
  return chromium.browser;
}

function origin(server: StaticServer | undefined): string {
  if (server === undefined) throw new Error('the PWA is not served');
  return server.origin;
}

async function openApp(server: StaticServer | undefined, hash = ''): Promise<Page> {
  const page = await browser().newPage();
  await page.setViewport(PHONE);
  await watchCsp(page);
  await page.goto(`${origin(server)}/app/${hash}`);
  return page;
}

/** The screen fits 360 px: nothing wider than the viewport, so no sideways scrolling. */
async function expectPhoneFit(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
}

/** A photo-like PNG of an insurance card, drawn by Chromium, to attach as a visitor would. */
async function insuranceCardPng(): Promise<Uint8Array> {
  const page = await browser().newPage();
  await page.setViewport({ width: 480, height: 300 });
  await page.setContent(
    '<body style="margin:0;font:20px sans-serif"><div style="width:480px;height:300px;box-sizing:border-box;padding:28px;' +
      'background:linear-gradient(135deg,#1d4fc4,#5b3fd6);color:#fff;border-radius:0">' +
      '<div style="font-size:28px;font-weight:700">Atlântico Saúde</div><div style="margin-top:60px">M. DUARTE</div>' +
      '<div style="margin-top:8px;letter-spacing:3px">0451 7782 1930 04</div><div style="margin-top:8px">Valid 09/28</div></div></body>',
  );
  const png = await page.screenshot({ type: 'png' });
  await page.close();
  return png;
}

async function clickMenuItem(page: Page, text: string): Promise<void> {
  const item = await page.waitForSelector(
    `::-p-xpath(//*[@role="menuitem"][contains(normalize-space(.), "${text}")])`,
    {
      visible: true,
    },
  );
  await item?.click();
}

/** The text of the first file in `dir` ending in `suffix`, once Chromium has finished writing it. */
async function waitForFile(dir: string, suffix: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const done = (await readdir(dir)).find((name) => name.endsWith(suffix));
    if (done !== undefined) return readFile(join(dir, done), 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${suffix} file was downloaded into ${dir}`);
}

beforeAll(async () => {
  shipped = await serveDirectory(await buildPwa({ scripted: false }), '/app/');
  scripted = await serveDirectory(await buildPwa({ scripted: true }), '/app/');
  chromium = await launchChromium();
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await shipped?.close();
  await scripted?.close();
});

describe('the shipped PWA build', () => {
  it('is installable: Chromium reports no installability error', async () => {
    const page = await openApp(shipped);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    const session = await page.createCDPSession();
    const { installabilityErrors } = await session.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    const manifest = await session.send('Page.getAppManifest');
    expect(manifest.errors).toEqual([]);
    await page.close();
  });

  it('works offline: the service worker serves the app shell with the network gone', async () => {
    const page = await openApp(shipped);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload(); // now controlled by the service worker
    await page.setOfflineMode(true);
    await page.reload();
    // The shell, its runtime worker and the runtime's database all start with no network.
    await waitForText(page, 'Create a business account');
    expect(await cspViolations(page)).toEqual([]);
    await page.setOfflineMode(false);
    await page.close();
  });
});

describe('the PWA at phone size, driven by the scripted test runtime', () => {
  let page: Page;

  it('welcome', async () => {
    page = await openApp(scripted);
    await waitForText(page, 'Create a business account');
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-1-welcome');
  });

  it('onboarding: the relay address is the app’s own origin; progress; recovery key; check', async () => {
    await clickText(page, 'Create a business account');
    await fillAccountForm(page, origin(scripted));
    await saveScreenshot(page, 'pwa-2-onboarding-form');
    await clickText(page, 'Create account');
    await waitForText(page, 'Shown only this once');
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-3-recovery-key');
    await page.click('input[type="checkbox"]');
    await clickText(page, 'Continue');
    await typeRecoveryGroups(page, SCRIPTED_RECOVERY_KEY);
    await clickText(page, 'Check');
    await waitForText(page, 'Harbour Dental Clinic is ready');
  });

  it('inbox', async () => {
    await clickText(page, 'Open the inbox');
    await waitForText(page, 'Can I send you my new insurance card?');
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-4-inbox');
  });

  it('conversation: a reply and an image attachment, with upload progress, shown inline', async () => {
    await page.click(`a[href="#/inbox/${CONVERSATIONS.booking}"]`);
    await waitForText(page, 'Booked: Thursday 16:15');
    await page.type('#composer-text', 'Yes, please send a photo of both sides here.');
    await page.keyboard.press('Enter');
    const input = await page.waitForSelector('input[type="file"]');
    const file = join(await mkdtemp(join(tmpdir(), 'sealdesk-card-')), 'insurance-card.png');
    await writeFile(file, await insuranceCardPng());
    await input?.uploadFile(file);
    await page.waitForSelector('[aria-label="Uploads"] [role="progressbar"]');
    await page.waitForSelector('img[alt="Image: insurance-card.png"]', { timeout: 15_000 });
    await page.waitForSelector('.message--self:last-of-type .status--read', { timeout: 15_000 });
    await expectPhoneFit(page);
    expect(await cspViolations(page)).toEqual([]);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-5-conversation');
  });

  it('search runs on the device, marks what matched and opens the conversation; a transcript exports as a file', async () => {
    await page.goto(`${origin(scripted)}/app/#/search`);
    await typeInto(page, 'Search your conversations', 'insurance');
    await page.waitForSelector('.search__hit mark');
    expect(await page.$$eval('.search__hit mark', (marks) => marks.map((mark) => mark.textContent))).toContain(
      'insurance',
    );
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-5b-search');

    await clickText(page, 'Can I send you my new insurance card?');
    await page.waitForSelector('#composer-text');
    const downloads = await mkdtemp(join(tmpdir(), 'sealdesk-transcript-'));
    const cdp = await browser().target().createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await page.click('[aria-label="More actions for this conversation"]');
    await clickMenuItem(page, 'Export as text');
    const transcript = await waitForFile(downloads, '.txt');
    expect(transcript).toContain('Can I send you my new insurance card?');
    expect(transcript).toMatch(/^Conversation with Visitor [0-9A-F]{4} — /);
    await cdp.detach();
  });

  it('a teammate viewing and then typing in the same conversation is shown in one line (PROTOCOL §9.9)', async () => {
    // Opened from another conversation: the view of the one left must not clear the one opened.
    await page.goto(`${origin(scripted)}/app/#/inbox/${CONVERSATIONS.aftercare}`);
    await page.waitForSelector('#composer-text');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="team-activity"]')?.textContent.trim() === 'Ana Ribeiro is viewing',
      { timeout: 15_000 },
    );
    await page.type('#composer-text', 'Let me check');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="team-activity"]')?.textContent.trim() === 'Ana Ribeiro is typing…',
      { timeout: 15_000 },
    );
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-5d-teammate-typing');
    // Back to the conversation the next step uses; nobody else is in that one.
    await page.goto(`${origin(scripted)}/app/#/inbox/${CONVERSATIONS.booking}`);
    await waitForText(page, 'Booked: Thursday 16:15');
    expect(await page.$eval('[data-testid="team-activity"]', (n) => n.textContent.trim())).toBe('');
  });

  it('blocking the visitor asks first, then shows it; unblocking lifts it (issue #15 item 6)', async () => {
    await page.click('[aria-label="More actions for this conversation"]');
    await clickMenuItem(page, 'Block this visitor');
    await waitForText(page, 'Block this visitor?');
    await clickText(page, 'Block visitor');
    await waitForText(page, 'Visitor blocked');
    expect(await page.$eval('#composer-text', (el) => (el as HTMLTextAreaElement).disabled)).toBe(true);
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-5c-visitor-blocked');
    await page.click('[aria-label="More actions for this conversation"]');
    await clickMenuItem(page, 'Unblock this visitor');
    await page.waitForFunction(() => !document.body.innerText.includes('Visitor blocked'));
  });

  it('team: linking another device shows the invitation as a QR code', async () => {
    await page.goto(`${origin(scripted)}/app/#/team/link`);
    await waitForText(page, 'Invite the new device');
    // What a phone's camera reads: the invitation to this relay's app with the existing device's link code.
    expect(await readQrCode(page)).toBe(
      `${origin(scripted)}/app/#/link?code=${SCRIPTED_LINK_PAYLOAD_TEXT.replaceAll(' ', '')}`,
    );
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-6-link-a-device');
  });

  it('team: an owner invites an agent by name and role; the invitation is shown next', async () => {
    await page.goto(`${origin(scripted)}/app/#/team`);
    await clickText(page, 'Invite an agent');
    await waitForText(page, 'Nobody can join without both of you seeing the same six digits.');
    await clickText(page, 'Show the invitation');
    await waitForText(page, 'Type the name your team and visitors will see.');
    await typeInto(page, 'Their name', 'Rui Costa');
    await page.click('[role="radio"][value="admin"]');
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-7-invite-agent');
    await clickText(page, 'Show the invitation');
    await waitForText(page, 'Invite the new device');
    expect(await readQrCode(page)).toContain('/app/#/link?code=');
  });

  it('team: an owner declines the device an admin links; the screen says so and goes back to the team', async () => {
    await page.goto(`${origin(scripted)}/app/#/team`);
    await clickText(page, 'Invite an agent');
    await clickText(page, 'Show the invitation');
    await typeInto(page, 'Their name', DECLINED_AGENT);
    await clickText(page, 'Show the invitation');
    await waitForText(page, 'Does your other device show exactly this code?');
    await clickText(page, 'Yes, the same');
    await waitForText(page, 'An owner declined');
    await waitForText(page, 'said no to adding the new device');
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-7b-link-declined');
    await clickText(page, 'Back to the team');
    await page.waitForFunction(() => location.hash === '#/team');
  });

  it('settings: away after a chosen idle time and the message sound are kept on this device across a reload', async () => {
    await page.goto(`${origin(scripted)}/app/#/settings`);
    await page.waitForSelector('[data-testid="away-after"]');
    expect(await page.$eval('[data-testid="sound-toggle"]', (n) => (n as HTMLInputElement).checked)).toBe(false);
    await page.select('[data-testid="away-after"]', '5');
    await page.click('[data-testid="sound-toggle"]');
    await expectPhoneFit(page);
    await expectAccessible(page);
    await saveScreenshot(page, 'pwa-8-settings-away-sound');
    await page.reload();
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLSelectElement>('[data-testid="away-after"]')?.value === '5' &&
        document.querySelector<HTMLInputElement>('[data-testid="sound-toggle"]')?.checked === true,
      { timeout: 15_000 },
    );
  });

  it('a second tab is told that Sealdesk runs in another one (one runtime per browser)', async () => {
    const second = await openApp(scripted);
    await waitForText(second, 'Sealdesk is open in another window');
    await second.close();
  });
});
