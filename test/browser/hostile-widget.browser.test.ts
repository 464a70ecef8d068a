// Issue #16 item 2 in real browsers (Chromium, Firefox ESR, WebKitGTK): the product widget on the demo
// shop, loaded through its SRI snippet, talks to a real relay only through the hostile proxy; the
// business's agent runtime (Node) too. The proxy serves another business's key directory, a list with
// a rogue device, a configuration it changed, an older configuration, a tampered chat chunk and forged
// prekey bundles; then, in a live conversation, it injects a message as the business, replays, drops
// and reorders replies, swaps a chunk of a file, and drops the visitor's last messages before a close.
// What the visitor SEES is asserted: a refusal or the named alert in plain words, never the attacker's
// content (nor a blank page), and the chat working once the proxy is honest or the next genuine reply
// shown. One relay, proxy and browser per engine; WebKit (slow under Xvfb) runs the attacks in
// IN_WEBKIT. The same attacks against the runtimes alone: test/hostile/directory-attacks.test.ts and
// message-attacks.test.ts.
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
import { waitFor } from '../runtime/support/runtime-world.js';
import { ENGINES, type EngineBrowser, type EnginePage, launchEngine, waitInPage } from '../support/browsers/index.js';
import {
  HeldFrames,
  interceptDelivers,
  toDevice,
  toVisitor,
  withAttackerTail,
} from '../support/hostile-proxy-frames.js';
import { type E2eBusiness, createE2eBusiness } from '../support/widget/e2e-business.js';
import {
  ATTACKER_TEXT,
  type HostileWidgetWorld,
  IN_SHADOW,
  alertShown,
  alertsShown,
  chatReady,
  logShows,
  logText,
  openShop,
  refusalShown,
  replyWith,
  servedWidgetFile,
  startHostileWidgetWorld,
  timesShown,
  visitorSays,
} from '../support/widget/hostile-widget-world.js';
import { PROBES } from '../support/widget/page-probes.js';

const REFUSED = 'This chat can’t be verified';
/** As long as the business's name, so the proxy's change keeps every length the same. */
const OTHER_NAME = 'Mallory Beans';

/** A 1×1 PNG: a genuine picture the widget draws inline. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
/** Sealed attachment chunks are 65,536 bytes (PROTOCOL §13). */
const CHUNK = 65_536;
/** The attacks run in WebKit too; every attack runs in Chromium and Firefox. */
const IN_WEBKIT: ReadonlySet<string> = new Set(['pin', 'config', 'chunk', 'inject', 'attachment']);

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
  describe(`the widget against a hostile relay, in ${engine}`, () => {
    let browser: EngineBrowser;
    let page: EnginePage;
    const attack = (name: string, title: string, body: () => Promise<void>): void => {
      if (engine !== 'webkit' || IN_WEBKIT.has(name)) it(title, body);
    };

    beforeAll(async () => {
      browser = await launchEngine(engine);
      page = await browser.newPage();
      await page.setViewport(1280, 800);
    });

    afterAll(async () => {
      await browser.close();
    });

    attack(
      'pin',
      'F1 pin mismatch: another business’s genuine device lists served for this one; the visitor is told the chat cannot be verified',
      async () => {
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
      },
    );

    attack(
      'rogue',
      'F10 a rogue device appended to the served list breaks the account key’s signature: the chat does not start',
      async () => {
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
      },
    );

    attack(
      'config',
      '§19.3 tampered configuration: the business’s name changed by the proxy is refused, never shown',
      async () => {
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
      },
    );

    attack(
      'foreign-config',
      '§19.3 another business’s genuinely signed configuration served for this one is refused, never shown',
      async () => {
        const { business, proxy } = hostile;
        proxy.httpHook = async (exchange) => {
          if (exchange.path !== configPath(business.accountId)) return undefined;
          const theirs = await fetch(`${hostile.world.relay.origin}${configPath(other.accountId)}`);
          if (!theirs.ok) throw new Error(`the other business has no configuration (${String(theirs.status)})`);
          return replyWith(exchange, new Uint8Array(await theirs.arrayBuffer()));
        };
        await openShop(page, hostile.shopUrl());
        const screen = await refusalShown(page);
        expect(screen).toContain(REFUSED);
        expect(screen).not.toContain(OTHER_NAME);
        await honestAgain(page);
      },
    );

    attack(
      'prekeys',
      'F1 every prekey bundle re-keyed by the proxy: the first message is not sent and the visitor is told in plain words',
      async () => {
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
      },
    );

    attack(
      'rollback',
      '§19.3 rollback: an older configuration after a newer one was seen is refused; the conversation is back once the proxy is honest',
      async () => {
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
      },
    );

    attack(
      'chunk',
      'F12 a chat chunk the proxy tampered with is refused by Subresource Integrity: none of it runs and the visitor is told',
      async () => {
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
      },
    );

    describe('in a live conversation', () => {
      let conversationId = '';

      /** The business replies; resolves when the visitor's log shows it. */
      async function businessSays(text: string): Promise<void> {
        await hostile.business.agent.runtime.sendText(conversationId, text);
        await logShows(page, text);
      }

      beforeAll(async () => {
        // The conversation the rollback test opened is resumed (in WebKit a new one starts).
        await openShop(page, hostile.shopUrl());
        await chatReady(page);
        conversationId = await visitorSays(page, hostile.business, `Hello from ${engine}: where is my parcel?`);
        await businessSays('Let me check.');
      });

      attack(
        'inject',
        'F3 a message injected as the business is refused with "A forged message was refused"; the genuine reply and the next are shown',
        async () => {
          hostile.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, (frame) => [
            { ...frame, envelope: withAttackerTail(frame.envelope, ATTACKER_TEXT), cursor: 0 },
            frame,
          ]);
          await businessSays('Your parcel left this morning.');
          await alertShown(page, 'A forged message was refused');
          await businessSays('Anything else?');
          expect(await logText(page)).not.toContain(ATTACKER_TEXT);
          expect(await timesShown(page, 'Your parcel left this morning.')).toBe(1);
        },
      );

      attack(
        'replay',
        'F9 a reply delivered twice is shown once, with "A repeated message was ignored"; the next is shown',
        async () => {
          hostile.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, (frame) => [frame, { ...frame }]);
          await businessSays('Refund of 20 EUR sent.');
          await alertShown(page, 'A repeated message was ignored');
          await businessSays('Bye for now.');
          expect(await timesShown(page, 'Refund of 20 EUR sent.')).toBe(1);
        },
      );

      attack(
        'drop',
        'F9 a reply the proxy drops is "A message may be missing" once the next arrives; the next is shown',
        async () => {
          hostile.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, () => []);
          await hostile.business.agent.runtime.sendText(conversationId, 'This one is dropped.');
          await businessSays('This one arrives.');
          await alertShown(page, 'A message may be missing');
          expect(await logText(page)).not.toContain('This one is dropped.');
        },
      );

      attack(
        'reorder',
        'F9 two replies delivered in reverse are shown in the order sent, without an alert',
        async () => {
          const alertsBefore = (await alertsShown(page)).length;
          const held = new HeldFrames();
          hostile.proxy.relayFrameHook = interceptDelivers(toVisitor, 2, (frame, socket) => held.hold(frame, socket));
          await hostile.business.agent.runtime.sendText(conversationId, 'first of two');
          await hostile.business.agent.runtime.sendText(conversationId, 'second of two');
          await waitFor(() => held.frames.length === 2, 'both replies held');
          held.release(1);
          held.release(0);
          await logShows(page, 'second of two');
          await logShows(page, 'first of two');
          const log = await logText(page);
          expect(log.indexOf('first of two')).toBeLessThan(log.indexOf('second of two'));
          await businessSays('third of two');
          expect((await alertsShown(page)).length).toBe(alertsBefore);
        },
      );

      attack(
        'attachment',
        'F16 a file with one chunk swapped in from another is refused, "A file was damaged or altered"; the next picture is shown',
        async () => {
          const { business, proxy } = hostile;
          const uploads: { path: string; body: Uint8Array }[] = [];
          proxy.httpHook = (exchange) => {
            if (exchange.method === 'PUT' && exchange.path.includes('/attachments/'))
              uploads.push({ path: exchange.path, body: exchange.requestBody });
            const [other, target] = uploads;
            if (exchange.method !== 'GET' || other === undefined || exchange.path !== target?.path) return undefined;
            const spliced = new Uint8Array(exchange.body);
            spliced.set(other.body.subarray(CHUNK, 2 * CHUNK), CHUNK);
            return { ...exchange, body: spliced };
          };
          const picture = (name: string, bytes: Uint8Array) =>
            business.agent.runtime.sendAttachment(
              conversationId,
              new Blob([new Uint8Array(bytes)], { type: 'image/png' }),
              name,
            );
          await picture(`other-${engine}.png`, secureRandom(150_000));
          await picture(`invoice-${engine}.png`, secureRandom(150_000));
          await alertShown(page, 'A file was damaged or altered');
          // Not drawn: the picture's place offers only the download button.
          expect(
            await page.run<number>(
              `(alt) => ${IN_SHADOW}.querySelectorAll('img[alt="' + alt + '"]').length`,
              `invoice-${engine}.png`,
            ),
          ).toBe(0);
          proxy.honest();
          await picture(`receipt-${engine}.png`, PIXEL);
          await waitInPage(
            page,
            `(alt) => ${IN_SHADOW}.querySelector('img[alt="' + alt + '"]')?.naturalWidth === 1`,
            [`receipt-${engine}.png`],
            30_000,
          );
        },
      );

      attack(
        'truncation',
        '#9.4 the visitor’s last two messages dropped while the business closes: "Your last messages may not have arrived"',
        async () => {
          const { business, proxy } = hostile;
          const agentDevice = (await business.agent.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
          let dropped = 0;
          proxy.relayFrameHook = interceptDelivers(toDevice(agentDevice), 2, () => {
            dropped++;
            return [];
          });
          const lost = [`please cancel order A-1 (${engine})`, `and refund it (${engine})`];
          for (const text of lost) {
            await page.type(text);
            await page.press('Enter');
            await logShows(page, text);
          }
          await waitFor(() => dropped === 2, 'both messages stored by the relay and dropped by the proxy', 30_000);
          await business.agent.runtime.close(conversationId, 'done');
          await alertShown(page, 'Your last messages may not have arrived');
          const seen = business.agent.events.of('message').map((m) => (m.body.kind === 'text' ? m.body.text : ''));
          for (const text of lost) expect(seen).not.toContain(text);
        },
      );
    });
  });
}
