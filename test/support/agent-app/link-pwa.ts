/**
 * The PWA in a Chromium page joins the account of an agent runtime in Node (PROTOCOL §10): the
 * runtime shows the invitation, the page opens it at `origin` (the relay, or a proxy in front of
 * it), both sides show the same six digits, both confirm. Returns the PWA's device id (hex).
 */
import type { Page } from 'puppeteer-core';
import type { LinkPhase } from '../../../shared/runtime/index.js';
import { type AgentHandle, codeOf, waitFor } from '../../runtime/support/runtime-world.js';
import { clickText, waitForText } from './agent-app-driver.js';

export async function linkPwa(pwa: Page, origin: string, owner: AgentHandle): Promise<string> {
  const ownerPhases: LinkPhase[] = [];
  const stop = owner.runtime.on('link', (p) => ownerPhases.push(p));
  try {
    const before = new Set((await owner.runtime.devices()).map((d) => d.deviceId));
    const { code } = await owner.runtime.startLinkAsExistingDevice();
    await pwa.goto(`${origin}/app/#/link?code=${code.replace(/[\s-]+/g, '').toLowerCase()}`);
    await waitForText(pwa, 'This device will join the team', 30_000);
    await clickText(pwa, 'Continue');
    const shown = await pwa.waitForSelector('.compare__code', { visible: true, timeout: 60_000 });
    const onPwa = (await shown?.evaluate((node) => node.textContent.replace(/\s+/g, ''))) ?? '';
    await waitFor(() => codeOf(ownerPhases) !== undefined, 'the owner’s code');
    if (onPwa !== codeOf(ownerPhases)) throw new Error('the PWA and the owner show different codes');
    await clickText(pwa, 'Yes, the same');
    await owner.runtime.confirmLink(true);
    await waitForText(pwa, 'This device is now part of your team', 60_000);
    let added: string | undefined;
    await waitFor(async () => {
      added = (await owner.runtime.devices()).find((d) => !before.has(d.deviceId))?.deviceId;
      return added !== undefined;
    }, 'the PWA in the list');
    return added ?? '';
  } finally {
    stop();
  }
}
