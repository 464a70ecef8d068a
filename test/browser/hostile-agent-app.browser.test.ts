// Issue #16 item 2 against the agent app in real Chromium: the product PWA (served by the relay at
// /app/, through the hostile proxy) is linked to a business whose owner device is the agent runtime in
// Node; a visitor (the visitor runtime in Node) writes. Everything reaches the relay only through the
// proxy, which swaps the visitor key of a first contact, injects a message as the visitor, withholds a
// message from the PWA only, and appends a rogue device to the lists the PWA fetches. What the agent
// SEES in the app is asserted: the attacker's content never shown, the named alert in plain words (also
// after a reload: the runtime keeps alerts, issue #16 item 2), and the next genuine message shown. The
// same attacks against the runtimes alone:
// test/hostile/message-attacks.test.ts (F2, F20), team-attacks.test.ts (one device) and
// directory-attacks.test.ts (rogue device, at the visitor).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateX25519KeyPair, secureRandom } from '../../shared/crypto/index.js';
import { decodeSignedDeviceList, encodeSignedDeviceList } from '../../shared/protocol/index.js';
import { asAccountId, asDeviceId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  type VisitorHandle,
  agentRuntime,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
} from '../runtime/support/runtime-world.js';
import { bindAccount } from '../support/account-binding.js';
import { waitForText } from '../support/agent-app/agent-app-driver.js';
import { PHONE } from '../support/agent-app/agent-world.js';
import { buildPwa } from '../support/agent-app/build-agent-app.js';
import { linkPwa } from '../support/agent-app/link-pwa.js';
import { type LaunchedChromium, launchChromium } from '../support/chromium.js';
import { rogueDevice, withRogueDevice } from '../support/attacker.js';
import { HostileProxy } from '../support/hostile-proxy.js';
import {
  interceptDelivers,
  toDevice,
  withAttackerTail,
  withSwappedVisitorKey,
} from '../support/hostile-proxy-frames.js';
import { ATTACKER_TEXT } from '../support/widget/hostile-widget-world.js';

let tmp = '';
let relay: RelayProcess;
let proxy: HostileProxy;
let chromium: LaunchedChromium;
let owner: AgentHandle;
let pwa: Page;
let visitor: VisitorHandle;
let conversationId = '';
let accountId = '';
let pin = '';
/** The PWA's device id (hex), the queue the proxy attacks. */
let pwaDevice = '';

/** The visitor writes `text`; resolves once the owner device has it (the PWA is checked by the test). */
async function visitorSays(text: string): Promise<void> {
  const id = await visitor.runtime.sendText(text);
  await waitFor(() => owner.events.of('message').some((m) => m.id === id), `"${text}" at the owner device`, 30_000);
}

const pageText = (): Promise<string> => pwa.evaluate(() => document.body.innerText);

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sealdesk-hostile-agent-'));
  await buildPwa({ scripted: false, outDir: join(tmp, 'static', 'pwa') });
  relay = await startRelayProcess(join(tmp, 'data'), { SEALDESK_STATIC_DIR: join(tmp, 'static') });
  proxy = await HostileProxy.start(relay.origin);
  owner = agentRuntime();
  pin = (await newAccount(proxy.origin, owner)).fingerprint;
  accountId = (await owner.runtime.status()).accountId ?? '';
  chromium = await launchChromium();
  pwa = await chromium.browser.newPage();
  await pwa.setViewport(PHONE);
  // The PWA links to the owner's account through its invitation (relay: the proxy) and the six digits.
  pwaDevice = await linkPwa(pwa, proxy.origin, owner);

  visitor = visitorRuntime(proxy.origin, accountId, pin);
  await visitor.runtime.start();
  conversationId = (await visitor.runtime.openConversation()).conversationId;
  await visitorSays('Hello, is my order on its way?');
  await pwa.goto(`${proxy.origin}/app/#/inbox/${conversationId}`);
  await waitForText(pwa, 'Hello, is my order on its way?', 30_000);
}, 300_000);

afterEach(() => {
  proxy.honest();
});

afterAll(async () => {
  visitor.runtime.dispose();
  owner.runtime.dispose();
  await chromium.close();
  await proxy.stop();
  await relay.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('a hostile relay attacks the agent app (PWA, chromium)', () => {
  it('F2 a first contact whose visitor key the proxy swapped for its own is refused, "A forged message was refused" (still shown after a reload); the genuine one opens the conversation', async () => {
    const attacker = await generateX25519KeyPair();
    const second = visitorRuntime(proxy.origin, accountId, pin);
    try {
      await second.runtime.start();
      const secondId = (await second.runtime.openConversation()).conversationId;
      proxy.relayFrameHook = interceptDelivers(toDevice(pwaDevice), 1, (frame) => {
        const swapped = withSwappedVisitorKey(frame.envelope, attacker.publicKey);
        if (swapped === undefined) throw new Error('the first delivery is not a first contact');
        return [{ ...frame, envelope: swapped, cursor: 0 }, frame];
      });
      const id = await second.runtime.sendText('Hello, this is really me.');
      await waitFor(() => owner.events.of('message').some((m) => m.id === id), 'the first contact at the owner');
      await pwa.goto(`${proxy.origin}/app/#/inbox`);
      await waitForText(pwa, 'Hello, this is really me.', 30_000);
      // The refusal was raised before this page was loaded: the page reads it from the runtime's kept
      // alerts (#16.2), not from an event it may have missed.
      await pwa.reload();
      const entry = `a[href="#/inbox/${secondId}"]`;
      await pwa.waitForSelector(entry, { visible: true, timeout: 30_000 });
      await pwa.click(entry);
      await waitForText(pwa, 'Hello, this is really me.', 30_000);
      await waitForText(pwa, 'A forged message was refused', 30_000);
    } finally {
      second.runtime.dispose();
    }
    // Back to the first conversation for the attacks below.
    await pwa.goto(`${proxy.origin}/app/#/inbox/${conversationId}`);
    await pwa.waitForSelector('#composer-text', { visible: true });
  });

  it('F20 a message injected as the visitor is refused with "A forged message was refused"; the genuine one and the next are shown', async () => {
    proxy.relayFrameHook = interceptDelivers(toDevice(pwaDevice), 1, (frame) => [
      { ...frame, envelope: withAttackerTail(frame.envelope, ATTACKER_TEXT), cursor: 0 },
      frame,
    ]);
    await visitorSays('My order number is A-1.');
    await waitForText(pwa, 'My order number is A-1.', 30_000);
    await waitForText(pwa, 'A forged message was refused', 30_000);
    await visitorSays('Thanks!');
    await waitForText(pwa, 'Thanks!', 30_000);
    expect(await pageText()).not.toContain(ATTACKER_TEXT);
  });

  it('F9 a visitor message delivered to the other team device only: the PWA shows "A message may be missing" and "Team devices saw different messages"; the next is shown', async () => {
    proxy.relayFrameHook = interceptDelivers(toDevice(pwaDevice), 1, () => []);
    await visitorSays('Please refund it to my usual card.');
    // The owner device answers: its acknowledgement of the withheld message reaches the PWA.
    await owner.runtime.sendText(conversationId, 'Done.');
    await waitForText(pwa, 'Done.', 30_000);
    await visitorSays('Thank you.');
    await waitForText(pwa, 'Thank you.', 30_000);
    await waitForText(pwa, 'A message may be missing', 30_000);
    await waitForText(pwa, 'Team devices saw different messages', 30_000);
    expect(await pageText()).not.toContain('Please refund it to my usual card.');
  });

  it('F10 a rogue device appended to the lists the PWA fetches is refused, "A forged key was refused"; the owner’s next message is shown', async () => {
    const ownerDevice = (await owner.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    const env = bindAccount(
      { rng: secureRandom, now: () => Date.now() },
      { accountId: asAccountId(idBytesFromHex(accountId)), sponsorId: asDeviceId(idBytesFromHex(ownerDevice)) },
    );
    const rogue = await rogueDevice(env, 'Support (night shift)');
    // A genuine new list version: a second device linked to the owner (through the proxy, honest but
    // for the history nudges it drops, §16.11: else the PWA would sync and take the honest list now).
    proxy.relayFrameHook = (frame) => (frame.type === 'nudge' ? [] : [frame]);
    const third = await link(proxy.origin, owner);
    proxy.relayFrameHook = undefined;
    try {
      proxy.httpHook = (exchange) => {
        if (!exchange.path.startsWith(`/v1/accounts/${accountId}/device-lists/`) || exchange.status !== 200)
          return undefined;
        const listed = withRogueDevice(decodeSignedDeviceList(exchange.body), rogue.entry);
        return { ...exchange, body: encodeSignedDeviceList(listed) };
      };
      // The owner's next message names the newer list (or a later nudge makes the PWA sync): the PWA
      // fetches it (PROTOCOL §7.6, §9.6) and gets the rogue one.
      await owner.runtime.sendText(conversationId, 'Checking with the warehouse.');
      await waitForText(pwa, 'A forged key was refused', 30_000);
      expect(await pageText()).not.toContain('Support (night shift)');
      proxy.honest();
      await owner.runtime.sendText(conversationId, 'It ships tomorrow.');
      await waitForText(pwa, 'It ships tomorrow.', 30_000);
      expect(await pageText()).not.toContain('Support (night shift)');
    } finally {
      third.runtime.dispose();
    }
  });
});
