// PROTOCOL §4.8 in the agent app (the product PWA in real Chromium, served by a real relay): the
// PWA is linked to a business whose owner device is the agent runtime in Node. The owner removes
// the PWA's device: the app shows one full page saying so (its heading focused), not a toast, and no
// "Earlier conversations could not be loaded" warning. "Erase this device's data", confirmed, deletes
// the app's databases and brings the app back to its first screen; after a reload it stays there.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, newAccount, waitFor } from '../runtime/support/runtime-world.js';
import { clickText, waitForText } from '../support/agent-app/agent-app-driver.js';
import { PHONE } from '../support/agent-app/agent-world.js';
import { buildPwa } from '../support/agent-app/build-agent-app.js';
import { linkPwa } from '../support/agent-app/link-pwa.js';
import { type LaunchedChromium, launchChromium } from '../support/chromium.js';

let tmp = '';
let relay: RelayProcess;
let chromium: LaunchedChromium;
let owner: AgentHandle;
let pwa: Page;
let pwaDevice = '';

const pageText = (): Promise<string> => pwa.evaluate(() => document.body.innerText);

/** The names of the IndexedDB databases the PWA's origin holds. */
function databases(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sealdesk-removed-'));
  await buildPwa({ scripted: false, outDir: join(tmp, 'static', 'pwa') });
  relay = await startRelayProcess(join(tmp, 'data'), { SEALDESK_STATIC_DIR: join(tmp, 'static') });
  owner = agentRuntime();
  await newAccount(relay.origin, owner);
  chromium = await launchChromium();
  pwa = await chromium.browser.newPage();
  await pwa.setViewport(PHONE);
  pwaDevice = await linkPwa(pwa, relay.origin, owner);
  await pwa.goto(`${relay.origin}/app/#/inbox`);
  await pwa.waitForSelector('main', { visible: true, timeout: 30_000 });
}, 300_000);

afterAll(async () => {
  owner.runtime.dispose();
  await chromium.close();
  await relay.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('§4.8 the agent app of a removed device (PWA, chromium)', () => {
  it('shows one full page with a focused heading; erasing, confirmed, deletes its data and returns to the first screen', async () => {
    expect(await databases(pwa)).toContain('sealdesk-agent');
    await owner.runtime.revokeDevice(pwaDevice);

    await waitForText(pwa, 'This device was removed', 30_000);
    const focused = await pwa.evaluate(() => document.activeElement?.id ?? '');
    expect(focused).toBe('removed-heading');
    const text = await pageText();
    expect(text).toContain('It can no longer read or send messages.');
    expect(text).toContain(new URL(relay.origin).host);
    expect(text).not.toContain('Earlier conversations could not be loaded');
    // A full page: no navigation, no inbox behind it.
    expect(await pwa.$('nav')).toBeNull();

    // After a reload the runtime reads the removal from its storage: the same page.
    await pwa.reload();
    await waitForText(pwa, 'This device was removed', 30_000);

    await clickText(pwa, "Erase this device's data");
    await waitForText(pwa, "Erase this device's data?");
    await pwa.keyboard.press('Escape');
    await waitFor(async () => !(await pageText()).includes("Erase this device's data?"), 'the dialog closed');
    expect(await databases(pwa)).toContain('sealdesk-agent');

    await clickText(pwa, "Erase this device's data");
    await waitForText(pwa, "Erase this device's data?");
    await pwa.locator('.sd-dialog button.sd-button--danger').click();
    await waitFor(
      async () => {
        const shown = await pageText().catch(() => '');
        return shown.includes('Link this device') && !shown.includes('This device was removed');
      },
      'the first screen after the erase',
      30_000,
    );
    expect(pwa.url()).toContain('#/welcome');

    // The keys and conversations are gone: a reload is still the first screen.
    await pwa.reload();
    await waitForText(pwa, 'Link this device', 30_000);
    expect(await pageText()).not.toContain('This device was removed');
  });
});
