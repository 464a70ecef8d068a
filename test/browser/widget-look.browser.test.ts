// The open widget on the demo shop in Chromium (issue #12 item 3, "Done when"): axe-core, run in the
// page, finds no serious or critical violation, and screenshots at desktop width, at 360 px, in dark
// mode, of the encryption details and of the refusal screen are saved under test-results/screenshots/.
// The conversation is driven by the scripted runtime of the test build (test/support/widget/): these
// pictures show the UI's every state; the product working end to end, with its own screenshots
// (widget-e2e-*.png), is widget-e2e.browser.test.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../support/chromium.js';
import { CHROMIUM_OFFLINE_FLAGS } from '../support/browsers/puppeteer-engines.js';
import { agentMessage, type AxeViolation, PROBES, seriousViolations } from '../support/widget/page-probes.js';
import { startWidgetWorld, type WidgetWorld } from '../support/widget/widget-world.js';

const SHOTS = join(import.meta.dirname, '../../test-results/screenshots');
let world: WidgetWorld;
let browser: Browser;

beforeAll(async () => {
  world = await startWidgetWorld();
  browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_OFFLINE_FLAGS });
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser.close();
  await world.close();
});

async function run<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  return (await page.evaluate(`(${fn})(...${JSON.stringify(args)})`)) as T;
}

async function until(page: Page, fn: string, ...args: unknown[]): Promise<void> {
  await page.waitForFunction(`(${fn})(...${JSON.stringify(args)})`, { timeout: 15_000, polling: 50 });
}

async function openChat(page: Page, params: Record<string, string> = {}): Promise<void> {
  await page.goto(world.demo('scripted', { 'open-shadow': '', ...params }), { waitUntil: 'load' });
  await until(page, PROBES.launcherAt);
  const [x, y] = await run<[number, number]>(page, PROBES.launcherAt);
  await page.mouse.click(x, y);
}

/** A short conversation: the visitor asks, the business answers with a photo and is typing again. */
async function converse(page: Page): Promise<void> {
  await until(page, `() => document.querySelector('sealdesk-chat').shadowRoot.activeElement?.tagName === 'TEXTAREA'`);
  await page.keyboard.type('Hi! Which beans would you recommend for a French press?');
  await page.keyboard.press('Enter');
  await until(page, `() => window.sealdeskScripted.calls.some((c) => c.startsWith('sendText:'))`);
  await run(page, PROBES.emit, 'status', { messageId: `${'aa'.repeat(16)}:1`, status: 'read' });
  await run(
    page,
    PROBES.emit,
    'message',
    agentMessage(1, 'Hi, I’m Maya from Alder & Finch. Good choice — a French press loves a fruity natural.'),
  );
  await run(page, `() => window.sealdeskScripted.agentImage('sidama-natural.png', 'Maya').then(() => true)`);
  await run(
    page,
    PROBES.emit,
    'message',
    agentMessage(3, 'Try our Sidama Natural: blueberry and dark chocolate. Grind coarse and steep for 4 minutes.'),
  );
  await run(page, PROBES.emit, 'typing', { agentName: 'Maya', active: true });
  await until(page, `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.bubble img')?.complete`);
}

async function shoot(page: Page, name: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 250));
  await writeFile(join(SHOTS, name), await page.screenshot({ type: 'png' }));
}

async function axe(page: Page): Promise<AxeViolation[]> {
  return run<AxeViolation[]>(page, PROBES.axe);
}

const serious = seriousViolations;

describe('the open widget on the demo shop (Chromium)', () => {
  it('desktop: a conversation with marks, a photo and typing; axe finds no serious or critical violation', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 820 });
    await openChat(page);
    await converse(page);
    await shoot(page, 'widget-desktop.png');
    expect(serious(await axe(page))).toEqual([]);
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await shoot(page, 'widget-desktop-dark.png');
    expect(serious(await axe(page))).toEqual([]);
    await page.close();
  });

  it('360 px phone: the chat fills the screen and stays usable; axe finds no serious or critical violation', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 360, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await openChat(page);
    await converse(page);
    const box = await run<[number, number]>(page, PROBES.rect, '.chat');
    expect(box[0]).toBeCloseTo(180, 0);
    await shoot(page, 'widget-360px.png');
    expect(serious(await axe(page))).toEqual([]);
    await page.close();
  });

  it('the encryption details with the fingerprint and the safety code, as a keyboard user reaches them', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 820 });
    await openChat(page);
    await converse(page);
    const [x, y] = await run<[number, number]>(page, PROBES.rect, '.verified');
    await page.mouse.click(x, y);
    await until(
      page,
      `() => document.querySelector('sealdesk-chat').shadowRoot.activeElement?.id === 'sd-sheet-title'`,
    );
    const [bx, by] = await run<[number, number]>(page, PROBES.rect, '.sheet .secondary');
    await page.mouse.click(bx, by);
    await until(
      page,
      `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.code')?.textContent.length > 20`,
    );
    expect(await run<string>(page, PROBES.text, '.keys dd')).toBe(
      '4ost sl3z jvqk 43br 7adq nv7h txn4 haui skco ct32 o2mh 3lfs b3wq',
    );
    await shoot(page, 'widget-verified-details.png');
    expect(serious(await axe(page))).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await run<string>(page, PROBES.active)).toBe('button.verified');
    await page.close();
  });

  it('the refusal screen when the business cannot be verified', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 820 });
    await openChat(page, { scenario: 'pin-mismatch' });
    await until(page, `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.screen h3')`);
    await shoot(page, 'widget-refusal.png');
    expect(serious(await axe(page))).toEqual([]);
    await page.close();
  });

  it('pre-chat question, an upload with progress shown inline, a protocol alert in plain words, and ending with erase', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 820 });
    await openChat(page, { scenario: 'prechat' });
    await until(page, `() => document.querySelector('sealdesk-chat').shadowRoot.activeElement?.tagName === 'TEXTAREA'`);
    expect(await run<string>(page, PROBES.text, '.log')).toContain('What is your order number, if you have one?');
    expect(await run<string>(page, PROBES.text, '.composer label')).toBe('Your answer');
    await page.keyboard.type('AF-1042');
    await page.keyboard.press('Enter');
    await until(page, `() => window.sealdeskScripted.calls.includes('openConversation:AF-1042')`);
    expect(await run<string>(page, PROBES.text, '.composer label')).toBe('Message');

    const input = await page.evaluateHandle(
      `document.querySelector('sealdesk-chat').shadowRoot.querySelector('.composer input[type=file]')`,
    );
    const png = join(SHOTS, 'widget-desktop.png');
    await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(png);
    await until(page, `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.upload progress')`);
    await until(
      page,
      `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.msg.me .bubble img')?.complete`,
    );
    expect(await run<string[]>(page, PROBES.calls)).toContain('sendAttachment:widget-desktop.png');
    expect(await run<string>(page, PROBES.attribute, '.msg.me .bubble img', 'alt')).toBe('widget-desktop.png');

    await run(page, PROBES.emit, 'alert', {
      kind: 'gap',
      severity: 'warning',
      title: 'A message may be missing',
      text: 'A message from Alder & Finch did not arrive. Ask them to send it again.',
    });
    expect(await run<string>(page, PROBES.text, '.alert')).toContain('A message may be missing');
    await until(
      page,
      `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('[aria-live=polite]').textContent.startsWith('A message may be missing.')`,
    );
    expect(serious(await axe(page))).toEqual([]);

    const [ex, ey] = await run<[number, number]>(page, PROBES.rect, `.head button[aria-label='End chat']`);
    await page.mouse.click(ex, ey);
    await until(page, `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.sheet .danger')`);
    expect(await run<string>(page, PROBES.text, '.sheet h3')).toBe('End this conversation?');
    await shoot(page, 'widget-end-and-erase.png');
    const [dx, dy] = await run<[number, number]>(page, PROBES.rect, '.sheet .danger');
    await page.mouse.click(dx, dy);
    await until(page, `() => window.sealdeskScripted.calls.includes('erase')`);
    expect(await run<boolean>(page, PROBES.hidden, '.panel')).toBe(true);
    expect(await run<string>(page, PROBES.active)).toBe('button.launcher');
    expect(await run<string>(page, PROBES.text, '.log')).not.toContain('AF-1042');
    await page.close();
  });
});
