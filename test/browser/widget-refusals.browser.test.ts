// Issue #15 item 6 in the product widget, real Chromium, real relay, real runtimes: a visitor whose
// chat the business blocks is told so plainly, and a visitor over the business's new-chat budget is
// told the business is busy (a 429 with Retry-After, never a silent failure).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../runtime/support/runtime-world.js';
import { type EngineBrowser, type EnginePage, launchEngine, waitInPage } from '../support/browsers/index.js';
import { type E2eBusiness, createE2eBusiness } from '../support/widget/e2e-business.js';
import { PROBES } from '../support/widget/page-probes.js';
import { startWidgetWorld, type WidgetWorld } from '../support/widget/widget-world.js';

const SHOTS = join(import.meta.dirname, '../../test-results/screenshots');
const IN_SHADOW = `document.querySelector('sealdesk-chat').shadowRoot`;
const BLOCKED = 'The business does not accept messages from this chat.';
const BUSY = 'This business is receiving many new chats right now. Please try again in a few minutes.';

let world: WidgetWorld;
let business: E2eBusiness;

beforeAll(async () => {
  // One new conversation per hour for the business: the second visitor is over the budget.
  world = await startWidgetWorld({ SEALDESK_ACCOUNT_CONVERSATIONS_PER_HOUR: '1' });
  business = await createE2eBusiness(world.relay.origin, 'Alder & Finch', 'Maya');
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  business.dispose();
  await world.close();
});

function shopUrl(): string {
  return world.demo('prod', { 'open-shadow': '', account: business.accountId, pin: business.pin });
}

async function openChat(page: EnginePage): Promise<void> {
  await page.goto(shopUrl());
  const at = await waitInPage<[number, number]>(page, PROBES.launcherAt);
  await page.click(at[0], at[1]);
  await waitInPage(page, `() => ${IN_SHADOW}.activeElement?.tagName === 'TEXTAREA'`);
}

async function logShows(page: EnginePage, text: string): Promise<void> {
  await waitInPage(page, `(text) => ${IN_SHADOW}.querySelector('.log')?.textContent.includes(text)`, [text]);
}

describe('the widget tells the visitor about blocks and rate limits (chromium)', () => {
  const browsers: EngineBrowser[] = [];

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
  });

  async function visitorPage(): Promise<EnginePage> {
    const browser = await launchEngine('chromium');
    browsers.push(browser);
    const page = await browser.newPage();
    await page.setViewport(1280, 800);
    return page;
  }

  it('a blocked visitor is told plainly that the business does not accept its messages', async () => {
    const page = await visitorPage();
    await openChat(page);
    const hello = 'Hello, is anyone there?';
    await page.type(hello);
    await page.press('Enter');
    await waitFor(
      () => business.agent.events.of('message').some((m) => m.body.kind === 'text' && m.body.text === hello),
      'the first message',
      30_000,
    );
    const conversationId = business.agent.events.of('message')[0]?.conversationId ?? '';
    await business.agent.runtime.blockVisitor(conversationId);
    await logShows(page, BLOCKED);
    await writeFile(join(SHOTS, 'widget-blocked.png'), await page.screenshot());
  });

  it('a visitor over the business’s new-chat budget is told it is busy', async () => {
    const page = await visitorPage();
    await openChat(page);
    await page.type('Hi, a question about beans');
    await page.press('Enter');
    await logShows(page, BUSY);
    await writeFile(join(SHOTS, 'widget-busy.png'), await page.screenshot());
    expect(await page.run<string>(PROBES.text, '.log')).not.toContain('429');
  });

  it('a wrong pin in a browser that never saw the business: the refusal shows the pinned key and the key served', async () => {
    const page = await visitorPage();
    const wrong = await createE2eBusiness(world.relay.origin, 'Mallory Beans', 'Mallory');
    wrong.dispose();
    await page.goto(world.demo('prod', { 'open-shadow': '', account: business.accountId, pin: wrong.pin }));
    const at = await waitInPage<[number, number]>(page, PROBES.launcherAt);
    await page.click(at[0], at[1]);
    await waitInPage(page, `() => ${IN_SHADOW}.querySelector('.screen h3')?.textContent.length > 0`);
    const screen = await page.run<string>(PROBES.text, '.screen');
    expect(screen).toContain('This chat can’t be verified');
    expect(screen).toContain(`Key this website published${wrong.pin}`);
    expect(screen).toContain(`Key the chat service presented${business.pin}`);
    expect(screen).not.toContain('not available');
  });

  it('a database written by another build (the site rolled the widget back): a plain screen, and a new chat starts afresh', async () => {
    const page = await visitorPage();
    await page.goto(shopUrl());
    await waitInPage(page, PROBES.launcherAt);
    // What a newer widget build left in this browser: a database version this build does not know.
    const name = `sealdesk-chat-${business.accountId}`;
    await page.run(
      `(name) => new Promise((done, fail) => {
        const r = indexedDB.open(name, 7);
        r.onupgradeneeded = () => { r.result.createObjectStore('records').put({ schema: 9, kind: 'directory', value: 'newer' }, 'directory'); };
        r.onsuccess = () => { r.result.close(); done(true); };
        r.onerror = () => fail(r.error);
      })`,
      name,
    );
    const at = await waitInPage<[number, number]>(page, PROBES.launcherAt);
    await page.click(at[0], at[1]);
    await waitInPage(page, `() => ${IN_SHADOW}.querySelector('.screen h3')?.textContent.length > 0`);
    const screen = await page.run<string>(PROBES.text, '.screen');
    expect(screen).toContain('Your earlier chat can’t be opened');
    await waitInPage(page, `() => ${IN_SHADOW}.querySelector('.panel').getAnimations({ subtree: true }).length === 0`);
    await writeFile(join(SHOTS, 'widget-stale-storage.png'), await page.screenshot());
    const button = await page.run<[number, number]>(`() => {
      const r = ${IN_SHADOW}.querySelector('.screen button').getBoundingClientRect();
      return [r.left + r.width / 2, r.top + r.height / 2];
    }`);
    await page.click(button[0], button[1]);
    await waitInPage(page, `() => ${IN_SHADOW}.querySelector('.verified')?.textContent.includes('verified')`);
    // The unreadable database is gone; nothing new is stored before the visitor writes.
    expect(await page.run<unknown[]>(`() => indexedDB.databases()`)).toEqual([]);
  });
});
