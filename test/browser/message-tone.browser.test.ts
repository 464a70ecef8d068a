// "Play a sound for new messages" (issue #15 item 4, ui/app/message-tone.ts) in the shipped PWA, in
// real Chromium, on a real relay: the PWA linked to an owner device (a runtime in Node), a visitor
// (a runtime in Node) writing. The page's AudioContext is wrapped by an init script that records
// every oscillator started and its frequency; the tone itself still plays through WebAudio.
// With the preference off (the default) a visitor's message plays nothing; switched on in Settings,
// the next one plays the two-note chime once; with the page focused, nothing (the open page is read).
// Deterministic: no timing assertion. After a message shows, the test takes the tone's Web Lock
// itself: it is granted only after any tone that message asked for has finished.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  type VisitorHandle,
  agentRuntime,
  newAccount,
  visitorRuntime,
  waitFor,
} from '../runtime/support/runtime-world.js';
import { waitForText } from '../support/agent-app/agent-app-driver.js';
import { PHONE } from '../support/agent-app/agent-world.js';
import { buildPwa } from '../support/agent-app/build-agent-app.js';
import { linkPwa } from '../support/agent-app/link-pwa.js';
import { type LaunchedChromium, launchChromium } from '../support/chromium.js';

declare global {
  interface Window {
    /** Set by the init script: the frequency of each oscillator started, in order; and the contexts made. */
    sealdeskTone?: { readonly started: number[]; contexts: number };
  }
}

/** The Web Lock message-tone.ts plays under (TONE_LOCK): one tone at a time per origin. */
const TONE_LOCK = 'sealdesk-message-tone';

/** Runs in the page before the app: every AudioContext counts itself and the oscillators it starts. */
function recordTones(): void {
  const record = { started: [] as number[], contexts: 0 };
  window.sealdeskTone = record;
  const Original = window.AudioContext;
  class Recording extends Original {
    constructor(options?: AudioContextOptions) {
      super(options);
      record.contexts += 1;
    }

    override createOscillator(): OscillatorNode {
      const node = super.createOscillator();
      const start = node.start.bind(node);
      node.start = (when?: number) => {
        record.started.push(node.frequency.value);
        start(when);
      };
      return node;
    }
  }
  window.AudioContext = Recording;
}

let tmp = '';
let relay: RelayProcess;
let chromium: LaunchedChromium;
let owner: AgentHandle;
let visitor: VisitorHandle;
let pwa: Page;
/** A blank tab: in front, it takes the focus from the PWA's page, as another window would. */
let elsewhere: Page;

function tones(): Promise<{ readonly started: readonly number[]; readonly contexts: number }> {
  return pwa.evaluate(() => {
    const record = window.sealdeskTone;
    return { started: [...(record?.started ?? [])], contexts: record?.contexts ?? -1 };
  });
}

/**
 * The visitor writes `text` while `focused` decides which tab is in front; resolves once the PWA's
 * page shows it (read without bringing the page forward) and any tone it asked for has ended.
 */
async function visitorWrites(text: string, focused: 'pwa' | 'elsewhere'): Promise<void> {
  await (focused === 'pwa' ? pwa : elsewhere).bringToFront();
  expect(await pwa.evaluate(() => document.hasFocus())).toBe(focused === 'pwa');
  await visitor.runtime.sendText(text);
  await waitFor(
    () => pwa.evaluate((wanted: string) => document.body.textContent.includes(wanted), text),
    `"${text}" on the PWA`,
    30_000,
  );
  // The tone (if any) asked for the lock when the message arrived, before it was drawn.
  await pwa.evaluate((name: string) => navigator.locks.request(name, () => undefined), TONE_LOCK);
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sealdesk-tone-'));
  await buildPwa({ scripted: false, outDir: join(tmp, 'static', 'pwa') });
  relay = await startRelayProcess(join(tmp, 'data'), { SEALDESK_STATIC_DIR: join(tmp, 'static') });
  owner = agentRuntime();
  const pin = (await newAccount(relay.origin, owner)).fingerprint;
  const accountId = (await owner.runtime.status()).accountId ?? '';
  chromium = await launchChromium();
  pwa = await chromium.browser.newPage();
  await pwa.setViewport(PHONE);
  await pwa.evaluateOnNewDocument(recordTones);
  elsewhere = await chromium.browser.newPage();
  await linkPwa(pwa, relay.origin, owner);

  visitor = visitorRuntime(relay.origin, accountId, pin);
  await visitor.runtime.start();
  await visitor.runtime.openConversation();
  const hello = await visitor.runtime.sendText('Hello, is my order on its way?');
  await waitFor(() => owner.events.of('message').some((m) => m.id === hello), 'the first message at the owner');
  await pwa.goto(`${relay.origin}/app/#/inbox`);
  await waitForText(pwa, 'Hello, is my order on its way?', 30_000);
}, 300_000);

afterAll(async () => {
  visitor.runtime.dispose();
  owner.runtime.dispose();
  await chromium.close();
  await relay.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('the message tone of an open PWA page (chromium, real relay)', () => {
  it('sound off (the default): a visitor message while the page has no focus plays nothing', async () => {
    await visitorWrites('Order A-1, placed on Monday.', 'elsewhere');
    expect(await tones()).toEqual({ started: [], contexts: 0 });
  });

  it('sound switched on in Settings: the next visitor message plays the two-note chime once', async () => {
    await pwa.bringToFront();
    await pwa.goto(`${relay.origin}/app/#/settings`);
    const box = await pwa.waitForSelector('[data-testid="sound-toggle"]', { visible: true });
    expect(await box?.evaluate((node) => node instanceof HTMLInputElement && node.checked)).toBe(false);
    await box?.click();
    await pwa.waitForFunction(
      () => document.querySelector<HTMLInputElement>('[data-testid="sound-toggle"]')?.checked === true,
    );
    await pwa.goto(`${relay.origin}/app/#/inbox`);
    await waitForText(pwa, 'Order A-1, placed on Monday.', 30_000);

    await visitorWrites('Could you check where it is?', 'elsewhere');
    expect(await tones()).toEqual({ started: [880, 1320], contexts: 1 });
  });

  it('sound on, the page in front: the person sees the message, no tone', async () => {
    await visitorWrites('Thanks in advance!', 'pwa');
    expect(await tones()).toEqual({ started: [880, 1320], contexts: 1 });
  });
});
