// CORS from a page on another origin in Chromium (issue #10, "Also"): a customer's page (origin B)
// calls the visitor routes of a real relay process (origin A) as the widget does — JSON and the
// Sealdesk-Capability header both need a preflight — and cannot call an account route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { type LaunchedChromium, launchChromium } from '../support/chromium.js';
import { type StaticServer, serveStatic } from '../support/static-server.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type Account, enrolDevice, randomHexId, registerAndLogin } from '../relay/support/relay-api.js';

describe('relay CORS from another origin in Chromium', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let shop: StaticServer;
  let chromium: LaunchedChromium;
  let page: Page;
  let account: Account;
  let deviceId: string;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    account = await registerAndLogin(relay.origin, 'cors-browser@example.test');
    deviceId = (await enrolDevice(relay.origin, account)).deviceId;
    shop = await serveStatic(
      new Map([['/', { contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>shop</title>' }]]),
    );
    chromium = await launchChromium();
    page = await chromium.browser.newPage();
    await page.goto(`${shop.origin}/`);
  });
  afterAll(async () => {
    await chromium.close();
    await shop.close();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#10.cors: the visitor routes work from the shop page; an account route is blocked by the browser', async () => {
    expect(new URL(shop.origin).origin).not.toBe(new URL(relay.origin).origin);
    const outcome = await page.evaluate(
      async (relayOrigin: string, accountId: string, device: string, conversationId: string, token: string) => {
        const a = `${relayOrigin}/v1/accounts/${accountId}`;
        const opened = await fetch(`${a}/conversations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ conversationId }),
        });
        const { capability } = (await opened.json()) as { capability: string };
        const bundles = await fetch(`${a}/bundles`);
        const claim = await fetch(`${a}/devices/${device}/one-time-prekeys/claim`, { method: 'POST' });
        const list = await fetch(`${a}/device-lists/latest`);
        const upload = await fetch(`${relayOrigin}/v1/conversations/${conversationId}/attachments`, {
          method: 'POST',
          headers: { 'sealdesk-capability': capability, 'content-type': 'application/octet-stream' },
          body: new Uint8Array([1, 2, 3]),
        });
        const { attachmentId } = (await upload.json()) as { attachmentId: string };
        const download = await fetch(`${relayOrigin}/v1/conversations/${conversationId}/attachments/${attachmentId}`, {
          headers: { 'sealdesk-capability': capability },
        });
        const bytes = [...new Uint8Array(await download.arrayBuffer())];
        let blocked = 'not blocked';
        try {
          await fetch(`${a}/widget-config`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${token}` },
            body: new Uint8Array([9]),
          });
        } catch (error) {
          blocked = error instanceof TypeError ? 'TypeError' : String(error);
        }
        return {
          statuses: [opened.status, bundles.status, claim.status, list.status, upload.status, download.status],
          noneLeft: ((await claim.json()) as { error: string }).error,
          bytes,
          blocked,
        };
      },
      relay.origin,
      account.accountId,
      deviceId,
      randomHexId(),
      account.token,
    );
    expect(outcome.statuses).toEqual([201, 200, 404, 404, 201, 200]);
    expect(outcome.noneLeft).toBe('none-left');
    expect(outcome.bytes).toEqual([1, 2, 3]);
    expect(outcome.blocked).toBe('TypeError');
    // The blocked PUT never reached the route: the preflight was refused (no widget config stored).
    expect((await fetch(`${relay.origin}/v1/accounts/${account.accountId}/widget-config`)).status).toBe(404);
  });
});
