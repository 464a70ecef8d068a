// The PWA's service worker and Web Push in real Chromium (issue #15 item 4; PROTOCOL §16.9): the
// relay's content-free payload is delivered to the shipped build's worker with the DevTools
// protocol's ServiceWorker.deliverPushMessage (Chromium cannot subscribe here: its vendor's push
// service is unreachable, so the subscription step of the real app is not exercised), and the worker
// shows the generic notification, with no content, whatever the payload says.
import type { CDPSession, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_BODY, NOTIFICATION_TAG, NOTIFICATION_TITLE } from '../../pwa/push-handlers.js';
import { WAKE_PAYLOAD } from '../../relay/push/wake-payload.js';
import { buildPwa } from '../support/agent-app/build-agent-app.js';
import { serveDirectory } from '../support/agent-app/serve-directory.js';
import { launchChromium, type LaunchedChromium } from '../support/chromium.js';
import type { StaticServer } from '../support/static-server.js';

let chromium: LaunchedChromium | undefined;
let served: StaticServer | undefined;

interface Shown {
  readonly title: string;
  readonly body: string;
  readonly tag: string;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} did not start`);
  return value;
}

beforeAll(async () => {
  served = await serveDirectory(await buildPwa({ scripted: false }), '/app/');
  chromium = await launchChromium();
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await served?.close();
});

/** The registration id of the worker whose scope is /app/, from the ServiceWorker domain's events. */
async function registrationId(session: CDPSession, scope: string): Promise<string> {
  return new Promise((resolve) => {
    session.on('ServiceWorker.workerRegistrationUpdated', (event) => {
      const found = event.registrations.find((r) => r.scopeURL === scope && !r.isDeleted);
      if (found !== undefined) resolve(found.registrationId);
    });
    void session.send('ServiceWorker.enable');
  });
}

/**
 * Delivers one push and waits for a notification. Chromium drops a push delivered while the new
 * worker is still activating or restarting under load (no error comes back to DevTools), so an
 * unanswered delivery is sent again, a few times; the notification's tag makes a repeat replace it.
 */
async function pushAndWaitForNotification(
  session: CDPSession,
  page: Page,
  origin: string,
  id: string,
  data: string,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    await session.send('ServiceWorker.deliverPushMessage', { origin, registrationId: id, data });
    try {
      await page.waitForFunction(
        async () => (await (await navigator.serviceWorker.ready).getNotifications()).length > 0,
        { timeout: 8_000 },
      );
      return;
    } catch (error) {
      if (attempt === 4) throw error;
    }
  }
}

async function notifications(page: Page): Promise<Shown[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
  });
}

describe('the PWA service worker and Web Push', () => {
  it('shows the generic notification for the relay’s wake-up, and never the payload', async () => {
    const browser = need(chromium, 'Chromium').browser;
    const origin = need(served, 'the PWA server').origin;
    await browser.setPermission(origin, { permission: { name: 'notifications' }, state: 'granted' });
    const page = await browser.newPage();
    await page.goto(`${origin}/app/`);
    await page.evaluate(async () => {
      const active = (await navigator.serviceWorker.ready).active;
      if (active === null || active.state === 'activated') return;
      await new Promise((resolve) => {
        active.addEventListener('statechange', resolve);
      });
    });
    const session = await page.createCDPSession();
    const id = await registrationId(session, `${origin}/app/`);

    await pushAndWaitForNotification(session, page, origin, id, WAKE_PAYLOAD);
    expect(await notifications(page)).toEqual([
      { title: NOTIFICATION_TITLE, body: NOTIFICATION_BODY, tag: NOTIFICATION_TAG },
    ]);

    // A payload with words in it changes nothing: the worker never shows what a push carries.
    await page.evaluate(async () => {
      for (const n of await (await navigator.serviceWorker.ready).getNotifications()) n.close();
    });
    expect(await notifications(page)).toEqual([]);
    const secret = 'Card 4111 1111 1111 1111 from Marta';
    await pushAndWaitForNotification(session, page, origin, id, secret);
    const shown = await notifications(page);
    expect(shown).toEqual([{ title: NOTIFICATION_TITLE, body: NOTIFICATION_BODY, tag: NOTIFICATION_TAG }]);
    expect(JSON.stringify(shown)).not.toContain('4111');
    await session.detach();
    await page.close();
  });
});
