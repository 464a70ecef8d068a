// Issue #15, done when: two agents on two devices each, in real Chromium, nothing scripted. Four
// PWAs, each in a browser context of its own (one device each), on a real relay process: the owner
// creates the business and links a second device; the owner invites Rui (role agent), whose first
// device links his second one after a visitor wrote from the real widget (the owner approves the
// request, PROTOCOL §4.5). Through the UI, on different devices, the conversation is assigned, noted,
// snoozed, reopened and resolved, and after each step every device shows the same (sealed team
// events, §9.8, spread live by the nudge, §16.11). A canned reply made by the owner is inserted with
// "/" on Rui's device; the device linked late finds a word of the earlier conversation with Search.
import type { Page } from 'puppeteer-core';
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

const STEP = 120_000;
const DESKTOP = { width: 1280, height: 800 } as const;
const FIRST_MESSAGE = 'Hello, is there a parking place for my wheelchair van near the clinic?';
const NOTE = 'Reserve bay 2 at the back entrance for her.';
const CANNED = 'Our back entrance has a ramp and two reserved bays.';

let world: AgentWorld | undefined;

function w(): AgentWorld {
  if (world === undefined) throw new Error('the world did not start');
  return world;
}

async function snap(page: Page, name: string): Promise<void> {
  await page.bringToFront();
  await saveScreenshot(page, name);
}

/**
 * Links a new device (a fresh browser context) from `existing`, which already shows the invitation
 * at #/team/link: the new device opens it, both screens show the same six digits, both confirm.
 * `approve` is the owner device that signs the list when `existing` has no account key (§4.5).
 */
async function linkNewDevice(existing: Page, approve?: Page): Promise<Page> {
  const invite = await shown(existing, '.invite__link');
  const invitation = await invite.evaluate((node) => node.textContent.trim());
  expect(invitation.startsWith(`${w().relay.origin}/app/#/link?code=`)).toBe(true);
  const device = await w().pwaDevice(invitation.slice(invitation.indexOf('#')));
  await waitForText(device, 'This device will join the team');
  await clickText(device, 'Continue');
  const codeOf = async (page: Page): Promise<string> => {
    const element = await shown(page, '.compare__code', 60_000);
    return element.evaluate((node) => node.textContent.replace(/\s+/g, ''));
  };
  const onNew = await codeOf(device);
  expect(onNew).toMatch(/^\d{6}$/);
  expect(await codeOf(existing)).toBe(onNew);
  await clickText(device, 'Yes, the same');
  await clickText(existing, 'Yes, the same');
  if (approve !== undefined) {
    await approve.goto(`${w().relay.origin}/app/#/team`);
    await waitForText(approve, 'Waiting for approval', 30_000);
    await clickText(approve, 'Approve');
  }
  await waitForText(device, 'This device is now part of your team', 60_000);
  return device;
}

/** The text of a team control (`assignee` or `status`) in the open conversation. */
function control(page: Page, name: 'assignee' | 'status'): Promise<string> {
  return page.evaluate(
    (which: string) => document.querySelector(`[data-team-control="${which}"]`)?.textContent.trim() ?? '(none)',
    name,
  );
}

/** Chooses the item starting with `label` in a team control's menu (opened with the keyboard). */
async function choose(page: Page, name: 'assignee' | 'status', label: string): Promise<void> {
  await page.bringToFront();
  await page.focus(`[data-team-control="${name}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[role="menuitemradio"]', { visible: true });
  const items = await page.$$('[role="menuitemradio"]');
  const texts = await Promise.all(items.map((item) => item.evaluate((node) => node.textContent.trim())));
  const item = items[texts.findIndex((text) => text.startsWith(label))];
  if (item === undefined) throw new Error(`no "${label}" in the ${name} menu: ${texts.join(' | ')}`);
  await item.click();
}

/** What a device should show in the open conversation: text prefixes of the controls, a note. */
interface TeamView {
  readonly assignee: string;
  readonly status: string;
  readonly note?: string;
}

/** Every device shows `wanted` in the open conversation; else says what each one shows. */
async function everyDeviceShows(devices: Readonly<Record<string, Page>>, wanted: TeamView): Promise<void> {
  for (const [name, page] of Object.entries(devices)) {
    await page.bringToFront();
    // An action that failed says so on the page ("That did not work — …"): never a silent pass.
    expect(await page.evaluate(() => document.body.innerText), name).not.toContain('That did not work');
    try {
      await page.waitForFunction(
        (want: TeamView) => {
          const text = (which: string): string =>
            document.querySelector(`[data-team-control="${which}"]`)?.textContent.trim() ?? '';
          const notes = [...document.querySelectorAll('.message--note')].map((n) => n.textContent).join('\n');
          return (
            text('assignee').startsWith(want.assignee) &&
            text('status').startsWith(want.status) &&
            (want.note === undefined || notes.includes(want.note))
          );
        },
        { timeout: 30_000 },
        wanted,
      );
    } catch (error) {
      const report: string[] = [];
      for (const [other, shownBy] of Object.entries(devices))
        report.push(`${other}: "${await control(shownBy, 'assignee')}" / "${await control(shownBy, 'status')}"`);
      const text = await page.evaluate(() => document.body.innerText);
      report.push(`${name}'s page:\n${text}`);
      throw new Error(`${name} does not show ${JSON.stringify(wanted)}; the devices show:\n${report.join('\n')}`, {
        cause: error,
      });
    }
  }
}

beforeAll(async () => {
  world = await startAgentWorld();
}, 300_000);

afterAll(async () => {
  await world?.close();
});

describe('issue #15 end to end: two agents on two devices each agree on the team work', () => {
  let owner1: Page;
  let owner2: Page;
  let rui1: Page;
  let rui2: Page;
  let visitor: Page;
  let account = '';
  let pin = '';
  let conversation = '';

  it(
    'the owner creates the business on the first device and links her second device',
    async () => {
      owner1 = await w().pwaDevice();
      await clickText(owner1, 'Create a business account');
      await fillAccountForm(owner1, w().relay.origin);
      await clickText(owner1, 'Create account');
      await waitForText(owner1, 'Shown only this once', 90_000);
      const recoveryKey = await owner1.$$eval('ol[aria-label="Recovery key, in groups"] .sd-mono', (nodes) =>
        nodes.map((node) => node.textContent.trim()).join(' '),
      );
      await owner1.click('input[type="checkbox"]');
      await clickText(owner1, 'Continue');
      await typeRecoveryGroups(owner1, recoveryKey);
      await clickText(owner1, 'Check');
      await waitForText(owner1, 'Harbour Dental Clinic is ready');

      await owner1.goto(`${w().relay.origin}/app/#/business`);
      await owner1.waitForFunction(
        () => document.querySelector('pre[aria-label="Embed snippet"]')?.textContent.includes('data-pin') === true,
        { timeout: 30_000 },
      );
      const snippet = await owner1.$eval('pre[aria-label="Embed snippet"]', (node) => node.textContent);
      account = /data-account="([0-9a-f]{32})"/.exec(snippet)?.[1] ?? '';
      pin = /data-pin="([a-z2-7 ]+)"/.exec(snippet)?.[1] ?? '';
      expect(account).toMatch(/^[0-9a-f]{32}$/);

      await owner1.goto(`${w().relay.origin}/app/#/team/link`);
      owner2 = await linkNewDevice(owner1);
    },
    STEP,
  );

  it(
    'the owner invites Rui as an agent; his first device joins with the six digits',
    async () => {
      await owner1.goto(`${w().relay.origin}/app/#/team/invite`);
      await typeInto(owner1, 'Their name', 'Rui Costa');
      await clickText(owner1, 'Show the invitation');
      rui1 = await linkNewDevice(owner1);
    },
    STEP,
  );

  it(
    'a visitor writes from the widget on the demo shop; the three devices show it',
    async () => {
      visitor = await w().visitorPage(account, pin);
      await openWidget(visitor);
      await visitorWrites(visitor, FIRST_MESSAGE);
      for (const page of [owner1, owner2, rui1]) {
        await page.goto(`${w().relay.origin}/app/#/inbox`);
        await waitForText(page, FIRST_MESSAGE, 30_000);
      }
      const link = await shown(rui1, 'a[href^="#/inbox/"]');
      conversation = await link.evaluate((node) => node.getAttribute('href') ?? '');
      expect(conversation).toMatch(/^#\/inbox\/[0-9a-f]{32}$/);
    },
    STEP,
  );

  it(
    'Rui links his second device after the conversation (the owner approves); its Search finds the earlier word',
    async () => {
      await rui1.goto(`${w().relay.origin}/app/#/team/link`);
      rui2 = await linkNewDevice(rui1, owner1);
      await rui2.goto(`${w().relay.origin}/app/#/search`);
      const query = await shown(rui2, '#search-query');
      await query.type('wheelchair');
      await rui2.keyboard.press('Enter');
      const hit = await shown(rui2, '.search__results .search__hit', 30_000);
      expect(await hit.evaluate((node) => node.textContent)).toContain('wheelchair van');
      expect(await hit.evaluate((node) => node.getAttribute('href'))).toBe(conversation);
    },
    STEP,
  );

  it(
    'assigned, noted, snoozed, reopened on different devices: all four devices agree after each step; a canned reply made by the owner is sent from Rui’s device with "/"',
    async () => {
      const devices = { owner1, owner2, rui1, rui2 };
      for (const page of Object.values(devices)) {
        await page.goto(`${w().relay.origin}/app/${conversation}`);
        await shown(page, '[data-team-control="status"]');
        await waitForText(page, FIRST_MESSAGE, 30_000);
      }
      await choose(owner2, 'assignee', 'Rui Costa');
      await everyDeviceShows(devices, { assignee: 'Rui Costa', status: 'Open' });

      // The notices of the devices added a moment ago may still shift the layout under the click:
      // type only once the composer says it writes a note (else the "note" would go to the visitor).
      await clickText(rui1, 'Internal note');
      await shown(rui1, '#composer-note-hint');
      await rui1.type('#composer-text', NOTE);
      await rui1.keyboard.press('Enter');
      await everyDeviceShows(devices, { assignee: 'Rui Costa', status: 'Open', note: NOTE });

      await choose(rui2, 'status', 'Snooze for an hour');
      await everyDeviceShows(devices, { assignee: 'Rui Costa', status: 'Snoozed until', note: NOTE });

      await choose(owner1, 'status', 'Open');
      await everyDeviceShows(devices, { assignee: 'Rui Costa', status: 'Open', note: NOTE });

      // The owner saves a canned reply; Rui's first device inserts it with "/" and sends it.
      await owner1.goto(`${w().relay.origin}/app/#/canned`);
      await clickText(owner1, 'New reply');
      await typeInto(owner1, 'Shortcut', 'parking');
      await typeInto(owner1, 'Reply text', CANNED);
      await clickText(owner1, 'Save');
      await owner1.waitForSelector('::-p-xpath(//li[contains(., "/parking")])');
      await rui1.bringToFront();
      await clickText(rui1, 'Reply');
      await rui1.type('#composer-text', '/');
      const search = await shown(rui1, 'input[role="combobox"]');
      await search.type('parking');
      await rui1.waitForFunction(
        () => [...document.querySelectorAll('[role="option"]')].some((o) => o.textContent.includes('/parking')),
        { timeout: 30_000 },
      );
      await rui1.keyboard.press('Enter');
      expect(await rui1.$eval('#composer-text', (el) => (el as HTMLTextAreaElement).value)).toBe(CANNED);
      await rui1.keyboard.press('Enter');
      await visitorSees(visitor, CANNED);
      const log = await visitor.evaluate(
        () => document.querySelector('sealdesk-chat')?.shadowRoot?.querySelector('.log')?.textContent ?? '',
      );
      expect(log).not.toContain('Reserve bay 2');
      await owner1.goto(`${w().relay.origin}/app/${conversation}`);
      for (const page of Object.values(devices)) await waitForText(page, CANNED, 30_000);
    },
    STEP,
  );

  it(
    'resolved on a device: all four agree, the "Resolved" filter shows it (screenshots at 360 px and desktop width)',
    async () => {
      const devices = { owner1, owner2, rui1, rui2 };
      await choose(owner2, 'status', 'Resolved');
      await everyDeviceShows(devices, { assignee: 'Rui Costa', status: 'Resolved', note: NOTE });
      // The phone shows the end of the log: bring the note into view for the picture.
      await (await shown(rui1, '.message--note')).scrollIntoView();
      await snap(rui1, 'e2e-team-1-conversation-note-phone');
      await owner2.setViewport(DESKTOP); // leaving the phone's touch emulation reloads the page
      await shown(owner2, '.message--note');
      await snap(owner2, 'e2e-team-2-conversation-note-desktop');
      for (const [name, page] of Object.entries({ phone: rui1, desktop: owner2 })) {
        await page.goto(`${w().relay.origin}/app/#/inbox`);
        await clickText(page, 'Resolved');
        await page.waitForSelector(`a[href="${conversation}"]`, { visible: true, timeout: 30_000 });
        await snap(page, `e2e-team-3-inbox-resolved-${name}`);
      }
      for (const [name, page] of Object.entries(devices)) {
        expect(await cspViolations(page)).toEqual([]);
        // Honest team work raises no security alert on any device (no false "rollback" and the like).
        const alerts = await page.$$eval('.alert--danger', (nodes) => nodes.map((n) => n.textContent.trim()));
        expect(alerts, name).toEqual([]);
      }
    },
    STEP,
  );
});
