// Issue #16 item 2 in real browsers (Chromium, Firefox ESR, WebKitGTK): the product widget on the demo
// shop, loaded through its SRI snippet, talks to a real relay only through the hostile proxy, which
// serves another business's key directory, a list with a rogue device, a configuration it changed, an
// older configuration, a tampered chat chunk and forged prekey bundles. What the visitor SEES is
// asserted: a refusal in plain words (never the attacker's business name, never a blank page), and the
// chat working once the proxy is honest. WebKit (slow under Xvfb) skips the rogue device and the
// prekey bundles. The same attacks against the runtimes alone: test/hostile/directory-attacks.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, generateX25519KeyPair, secureRandom, toBase64Url } from '../../shared/crypto/index.js';
import {
  decodePrekeyBundle,
  decodeSignedDeviceList,
  encodePrekeyBundle,
  encodeSignedDeviceList,
} from '../../shared/protocol/index.js';
import { asAccountId, asDeviceId, idBytesFromHex } from '../../shared/wire/index.js';
import { bindAccount } from '../support/account-binding.js';
import { rogueDevice, withRogueDevice } from '../support/attacker.js';
import { ENGINES, type EngineBrowser, type EnginePage, launchEngine, waitInPage } from '../support/browsers/index.js';
import { type E2eBusiness, createE2eBusiness } from '../support/widget/e2e-business.js';
import {
  type HostileWidgetWorld,
  IN_SHADOW,
  alertShown,
  chatReady,
  logShows,
  openShop,
  refusalShown,
  replyWith,
  servedWidgetFile,
  startHostileWidgetWorld,
  visitorSays,
} from '../support/widget/hostile-widget-world.js';
import { PROBES } from '../support/widget/page-probes.js';

const REFUSED = 'This chat can’t be verified';
/** As long as the business's name, so the proxy's change keeps every length the same. */
const OTHER_NAME = 'Mallory Beans';

let hostile: HostileWidgetWorld;
let other: E2eBusiness;

beforeAll(async () => {
  hostile = await startHostileWidgetWorld();
  other = await createE2eBusiness(hostile.world.relay.origin, OTHER_NAME, 'Mallory');
  other.dispose();
});

afterAll(async () => {
  await hostile.close();
});

afterEach(() => {
  hostile.proxy.honest();
});

const listPath = (accountId: string): RegExp => new RegExp(`^/v1/accounts/${accountId}/device-lists/`);
const configPath = (accountId: string): string => `/v1/accounts/${accountId}/widget-config`;

/** The proxy honest again: the same browser verifies the business and shows the chat. */
async function honestAgain(page: EnginePage): Promise<void> {
  hostile.proxy.honest();
  await openShop(page, hostile.shopUrl());
  await chatReady(page);
  expect(await page.run<string>(PROBES.text, '.head h2')).toBe('Alder & Finch');
}

for (const engine of ENGINES) {
  describe(`the widget refuses what a hostile relay serves, in ${engine}`, () => {
    let browser: EngineBrowser;
    let page: EnginePage;

    beforeAll(async () => {
      browser = await launchEngine(engine);
      page = await browser.newPage();
      await page.setViewport(1280, 800);
    });

    afterAll(async () => {
      await browser.close();
    });

    it('F1 pin mismatch: another business’s genuine device lists served for this one; the visitor is told the chat cannot be verified', async () => {
      const { business, proxy } = hostile;
      proxy.httpHook = async (exchange) => {
        if (!listPath(business.accountId).test(exchange.path)) return undefined;
        const theirs = await fetch(
          `${hostile.world.relay.origin}${exchange.path.replace(business.accountId, other.accountId)}`,
        );
        return { ...exchange, status: theirs.status, body: new Uint8Array(await theirs.arrayBuffer()) };
      };
      await openShop(page, hostile.shopUrl());
      const screen = await refusalShown(page);
      expect(screen).toContain(REFUSED);
      expect(screen).toContain('nothing was sent');
      expect(screen).toContain(business.pin);
      expect(screen).not.toContain(OTHER_NAME);
      expect(await page.run<string>(PROBES.hidden, '.composer')).toBe(null);
      await honestAgain(page);
    });

    if (engine !== 'webkit')
      it('F10 a rogue device appended to the served list breaks the account key’s signature: the chat does not start', async () => {
        const { business, proxy } = hostile;
        const owner = (await business.agent.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
        const env = bindAccount(
          { rng: secureRandom, now: () => Date.now() },
          { accountId: asAccountId(idBytesFromHex(business.accountId)), sponsorId: asDeviceId(idBytesFromHex(owner)) },
        );
        const rogue = await rogueDevice(env, 'Support (night shift)');
        proxy.httpHook = (exchange) => {
          if (!listPath(business.accountId).test(exchange.path) || exchange.status !== 200) return undefined;
          return replyWith(
            exchange,
            encodeSignedDeviceList(withRogueDevice(decodeSignedDeviceList(exchange.body), rogue.entry)),
          );
        };
        await openShop(page, hostile.shopUrl());
        const screen = await refusalShown(page);
        expect(screen).toContain(REFUSED);
        expect(screen).toContain('nothing was sent');
        await honestAgain(page);
      });

    it('§19.3 tampered configuration: the business’s name changed by the proxy is refused, never shown', async () => {
      const { business, proxy } = hostile;
      const ours = new TextEncoder().encode('Alder & Finch');
      proxy.httpHook = (exchange) => {
        if (exchange.path !== configPath(business.accountId) || exchange.status !== 200) return undefined;
        const body = new Uint8Array(exchange.body);
        const at = Buffer.from(body).indexOf(ours);
        if (at < 0) throw new Error('the configuration does not carry the business name');
        body.set(new TextEncoder().encode(OTHER_NAME), at);
        return replyWith(exchange, body);
      };
      await openShop(page, hostile.shopUrl());
      const screen = await refusalShown(page);
      expect(screen).toContain(REFUSED);
      expect(screen).not.toContain(OTHER_NAME);
      expect(await page.run<string>(PROBES.text, '.head h2')).not.toContain(OTHER_NAME);
      await honestAgain(page);
    });

    if (engine !== 'webkit')
      it('F1 every prekey bundle re-keyed by the proxy: the first message is not sent and the visitor is told in plain words', async () => {
        const { business, proxy } = hostile;
        const attacker = await generateX25519KeyPair();
        proxy.httpHook = (exchange) => {
          if (exchange.path !== `/v1/accounts/${business.accountId}/bundles` || exchange.status !== 200)
            return undefined;
          const answer = JSON.parse(new TextDecoder().decode(exchange.body)) as {
            bundles: { deviceId: string; bundle: string }[];
          };
          const bundles = answer.bundles.map((b) => {
            const bundle = decodePrekeyBundle(fromBase64Url(b.bundle));
            return { ...b, bundle: toBase64Url(encodePrekeyBundle({ ...bundle, signedPrekey: attacker.publicKey })) };
          });
          return replyWith(exchange, new TextEncoder().encode(JSON.stringify({ bundles })));
        };
        // This browser has no conversation yet (the tests above stored nothing): the message would start one.
        await openShop(page, hostile.shopUrl());
        await chatReady(page);
        const before = business.agent.events.of('message').length;
        await page.type(`my card number is 4111 (${engine})`);
        await page.press('Enter');
        await alertShown(page, 'The relay served keys that are not the business’s');
        await waitInPage(page, `() => ${IN_SHADOW}.querySelector('.msg.me .failed') !== null`);
        expect(business.agent.events.of('message').length).toBe(before);

        proxy.honest();
        await openShop(page, hostile.shopUrl());
        await chatReady(page);
        await visitorSays(page, business, `an honest first message (${engine})`);
      });

    it('§19.3 rollback: an older configuration after a newer one was seen is refused; the conversation is back once the proxy is honest', async () => {
      const { business, proxy } = hostile;
      await openShop(page, hostile.shopUrl());
      await chatReady(page);
      const hello = `Hello from ${engine}, before the rollback`;
      // Sent in the conversation the test above opened (in WebKit: a new one); storage now holds what was seen.
      await visitorSays(page, business, hello);
      const older = new Uint8Array(
        await (await fetch(`${hostile.world.relay.origin}${configPath(business.accountId)}`)).arrayBuffer(),
      );
      const greeting = `Newer greeting for ${engine}`;
      const current = await business.agent.runtime.widgetConfig();
      if (current === undefined) throw new Error('the business has no configuration');
      await business.agent.runtime.publishWidgetConfig({ ...current, greeting });
      await openShop(page, hostile.shopUrl());
      await logShows(page, greeting);

      proxy.httpHook = (exchange) =>
        exchange.path === configPath(business.accountId) ? replyWith(exchange, older) : undefined;
      await openShop(page, hostile.shopUrl());
      expect(await refusalShown(page)).toContain(REFUSED);

      await honestAgain(page);
      await logShows(page, hello);
    });

    it('F12 a chat chunk the proxy tampered with is refused by Subresource Integrity: none of it runs and the visitor is told', async () => {
      const { proxy, world } = hostile;
      const hosted = { widget: `${proxy.origin}/prod/` };
      proxy.httpHook = (exchange) =>
        servedWidgetFile(world, exchange.path, (chunk) => `${chunk}\n;window.sealdeskTampered = true;\n`);
      await openShop(page, hostile.shopUrl(hosted));
      await waitInPage(page, `() => document.querySelector('sealdesk-chat').dataset.state === 'failed'`);
      expect(await page.run<boolean>(`() => window.sealdeskTampered === undefined`)).toBe(true);
      expect(await page.run<string>(PROBES.text, '.note')).toContain('could not be loaded safely');

      proxy.httpHook = (exchange) => servedWidgetFile(world, exchange.path);
      await openShop(page, hostile.shopUrl(hosted));
      await chatReady(page);
    });
  });
}
