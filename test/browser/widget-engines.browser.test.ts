// The visitor widget in three real engines — Chromium, Firefox ESR, WebKitGTK (issue #12 items 1, 3,
// 5, 9) — on a customer page (origin B) under a strict CSP, with the widget from the relay (A) or
// self-hosted (W). What runs without the visitor runtime: the loader and its SRI-pinned chat chunk
// (the product build), a tampered chunk refused, the UI in a closed shadow root driven by a scripted
// runtime (test build only), and the isolated frame mode with its origin checks. The end-to-end test
// with the real runtime and an agent runtime: widget-e2e.browser.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, type EngineBrowser, type EnginePage, launchEngine, waitInPage } from '../support/browsers/index.js';
import { agentMessage, PROBES } from '../support/widget/page-probes.js';
import { startWidgetWorld, type WidgetWorld } from '../support/widget/widget-world.js';

let world: WidgetWorld;

beforeAll(async () => {
  world = await startWidgetWorld();
});

afterAll(async () => {
  await world.close();
});

async function openLauncher(page: EnginePage): Promise<void> {
  const at = await waitInPage<[number, number]>(page, PROBES.launcherAt);
  await page.click(at[0], at[1]);
}

for (const engine of ENGINES) {
  describe(`the widget in ${engine}`, () => {
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

    it('loads the product chat chunk through the hash pinned in the loader; without a runtime the chat says it is unavailable; nothing is stored', async () => {
      await page.goto(world.demo('prod', { 'open-shadow': '' }));
      expect(await waitInPage<string>(page, PROBES.state)).toBe('idle');
      expect(await page.run<string[]>(PROBES.shadowModes)).toEqual(['closed']);
      await openLauncher(page);
      await waitInPage(page, `() => document.querySelector('sealdesk-chat').dataset.state === 'ready'`);
      await waitInPage(page, PROBES.text, ['.screen h3']);
      expect(await page.run<string>(PROBES.text, '.screen')).toContain('Chat unavailable');
      expect(await page.run(PROBES.stored)).toEqual({ cookie: '', local: 0, session: 0, databases: 0 });
    });

    it('refuses a tampered chat chunk (Subresource Integrity): none of its code runs and the visitor is told', async () => {
      await page.goto(world.demo('tampered', { 'open-shadow': '' }));
      await waitInPage(page, PROBES.launcherAt);
      await openLauncher(page);
      await waitInPage(page, `() => document.querySelector('sealdesk-chat').dataset.state === 'failed'`);
      expect(await page.run<boolean>(`() => window.sealdeskTampered === undefined`)).toBe(true);
      expect(await page.run<string>(PROBES.text, '.note')).toContain('could not be loaded safely');
    });

    it('draws the launcher in a closed shadow root; the chat opens, sends, shows marks, typing and replies, announces them, and badges unread ones', async () => {
      await page.goto(world.demo('scripted'));
      await waitInPage(page, PROBES.launcherAt);
      // On the unmodified page the host page cannot reach inside the widget.
      expect(await page.run<boolean>(PROBES.shadowRootVisible)).toBe(true);

      await page.goto(world.demo('scripted', { 'open-shadow': '' }));
      await openLauncher(page);
      await waitInPage(page, PROBES.text, ['.head h2']);
      expect(await page.run<string>(PROBES.text, '.head h2')).toBe('Alder & Finch');
      expect(await page.run<string>(PROBES.text, '.verified')).toBe(
        'End-to-end encrypted with Alder & Finch — verified',
      );
      expect(await page.run<string>(PROBES.text, '.log')).toContain('Ask away');
      await waitInPage(
        page,
        `() => document.querySelector('sealdesk-chat').shadowRoot.activeElement?.tagName === 'TEXTAREA'`,
      );

      await page.type('Hello from a visitor');
      await page.press('Enter');
      await waitInPage(page, `() => window.sealdeskScripted.calls.includes('sendText:Hello from a visitor')`);
      expect(await page.run<string[]>(PROBES.calls)).toContain('openConversation');
      await waitInPage(
        page,
        `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.msg.me .meta span .sr')?.textContent === 'Sent'`,
      );
      const own = `${'aa'.repeat(16)}:1`;
      await page.run(PROBES.emit, 'status', { messageId: own, status: 'delivered' });
      await page.run(PROBES.emit, 'status', { messageId: own, status: 'read' });
      expect(await page.run<string>(PROBES.text, '.msg.me .meta .sr')).toBe('Read');

      await page.run(PROBES.emit, 'typing', { agentName: 'Maya', active: true });
      expect(await page.run<string>(PROBES.text, '.typing')).toBe('Maya is typing…');
      await page.run(PROBES.emit, 'message', agentMessage(1, 'Hi! How can I help?'));
      expect(await page.run<string>(PROBES.text, '.msg:not(.me) .bubble')).toContain('Hi! How can I help?');
      expect(await page.run<string>(PROBES.text, '.typing')).toBe('');
      await waitInPage(page, PROBES.text, ['[aria-live=polite].sr']);
      expect(await page.run<string>(PROBES.text, '[aria-live=polite].sr')).toBe('Maya: Hi! How can I help?');
      expect(await page.run<string[]>(PROBES.calls)).toContain(`markRead:${'bb'.repeat(16)}:1`);

      await page.press('Escape');
      await waitInPage(page, `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.panel').hidden`);
      expect(await page.run<string>(PROBES.active)).toBe('button.launcher');
      const title = await page.run<string>(`() => document.title`);
      await page.run(PROBES.emit, 'message', agentMessage(2, 'Are you still there?'));
      expect(await page.run<string>(PROBES.attribute, '.launcher', 'aria-label')).toBe('Open chat, 1 unread');
      expect(await page.run<string>(PROBES.text, '.badge')).toBe('1');
      // Issue #15 item 4: the host page's title carries the cue while the panel is closed.
      expect(await page.run<string>(`() => document.title`)).toBe(`(1) ${title}`);
      await page.run(PROBES.emit, 'message', agentMessage(3, 'I am here when you need me.'));
      expect(await page.run<string>(`() => document.title`)).toBe(`(2) ${title}`);
      await page.press('Enter');
      await waitInPage(
        page,
        `() => !document.querySelector('sealdesk-chat').shadowRoot.querySelector('.panel').hidden`,
      );
      expect(await page.run<string>(`() => document.title`)).toBe(title);
      expect(await page.run<string>(PROBES.attribute, '.launcher', 'aria-label')).toBe('Close chat');
      expect(await page.run<string[]>(PROBES.calls)).toContain(`markRead:${'bb'.repeat(16)}:3`);
    });

    it('360 px: the log stays at its newest message when the viewport is resized, and stays put when scrolled up', async () => {
      const scroller = `document.querySelector('sealdesk-chat').shadowRoot.querySelector('.scroll')`;
      const gap = `${scroller}.scrollHeight - ${scroller}.scrollTop - ${scroller}.clientHeight`;
      await page.setViewport(360, 740);
      await page.goto(world.demo('scripted', { 'open-shadow': '' }));
      await openLauncher(page);
      await waitInPage(page, PROBES.text, ['.head h2']);
      for (let n = 1; n <= 14; n++)
        await page.run(
          PROBES.emit,
          'message',
          agentMessage(n, `Reply number ${n}, long enough to wrap at phone width.`),
        );
      expect(await page.run<boolean>(`() => ${scroller}.scrollHeight > ${scroller}.clientHeight + 200`)).toBe(true);
      expect(await page.run<number>(`() => ${gap}`)).toBeLessThan(2);
      // The on-screen keyboard (or a rotation) makes the viewport shorter: the newest message stays in view.
      const tall = await page.run<number>(`() => innerHeight`);
      await page.setViewport(360, 420);
      await waitInPage(page, `(tall) => innerHeight < tall - 200`, [tall]);
      await waitInPage(page, `() => ${gap} < 2`);
      // A visitor who scrolled up to read is left there when the viewport grows again.
      const frames = `() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))`;
      await page.run(`() => { ${scroller}.scrollTop = 0; return true; }`);
      await waitInPage(page, `() => ${gap} > 100`);
      await page.run(frames);
      await page.setViewport(360, 740);
      await waitInPage(page, `(tall) => innerHeight > tall - 20`, [tall]);
      await page.run(frames);
      expect(await page.run<number>(`() => ${scroller}.scrollTop`)).toBe(0);
      await page.setViewport(1280, 800);
    });

    it('stored records this build cannot read: a plain screen offers a new chat, which starts afresh', async () => {
      await page.goto(world.demo('scripted', { 'open-shadow': '', scenario: 'stale-storage' }));
      await openLauncher(page);
      await waitInPage(page, PROBES.text, ['.screen h3']);
      const screen = await page.run<string>(PROBES.text, '.screen');
      expect(screen).toContain('Your earlier chat can’t be opened');
      expect(screen).toContain('can’t read. You can start a new chat');
      const at = await page.run<[number, number]>(`() => {
        const r = document.querySelector('sealdesk-chat').shadowRoot.querySelector('.screen button').getBoundingClientRect();
        return [r.left + r.width / 2, r.top + r.height / 2];
      }`);
      await page.click(at[0], at[1]);
      await waitInPage(page, PROBES.text, ['.head h2']);
      expect(await page.run<string>(PROBES.text, '.verified')).toContain('verified');
    });

    it('refuses to start when the business cannot be verified, and shows the pinned and the served fingerprint', async () => {
      await page.goto(world.demo('scripted', { 'open-shadow': '', scenario: 'pin-mismatch' }));
      await openLauncher(page);
      await waitInPage(page, PROBES.text, ['.screen h3']);
      const screen = await page.run<string>(PROBES.text, '.screen');
      expect(screen).toContain('This chat can’t be verified');
      expect(screen).toContain('4ost sl3z jvqk');
      expect(screen).toContain('ffyp hwjs rwm7');
      expect(await page.run<string[]>(PROBES.calls)).toEqual(['start']);
    });

    it('isolated mode: the chat runs in the business frame and talks to the loader only over its MessageChannel', async () => {
      await page.goto(
        world.demo('scripted', {
          'open-shadow': '',
          mode: 'isolated',
          frame: `${world.relay.origin}/widget/frame.html`,
        }),
      );
      await openLauncher(page);
      await waitInPage(page, `() => document.querySelector('sealdesk-chat').dataset.state === 'ready'`);
      const frame = `${world.relay.origin}/widget/frame.html`;
      await waitInPage(
        { run: (fn, ...args) => page.runInFrame(frame, fn, ...args) },
        `() => window.sealdeskScripted?.calls.includes('start')`,
      );
      // The frame's own minimise button (top right of its header: a trusted click into the frame) hides
      // the chat with a `hide` over the port; a business message then badges the launcher (`unread`).
      const box = await page.run<[number, number]>(`() => {
        const r = document.querySelector('sealdesk-chat').shadowRoot.querySelector('.panel iframe').getBoundingClientRect();
        return [r.right - 31, r.top + 34];
      }`);
      await page.click(box[0], box[1]);
      await waitInPage(page, `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.panel').hidden`);
      await page.runInFrame(frame, PROBES.emit, 'message', agentMessage(7, 'A reply while the chat is closed'));
      await waitInPage(
        page,
        `() => document.querySelector('sealdesk-chat').shadowRoot.querySelector('.badge')?.textContent === '1'`,
      );
      expect(await page.run<string>(PROBES.ignored)).toBe('0');
      expect(await page.runInFrame<string>(frame, PROBES.frameIgnored)).toBe('0');
    });

    it('isolated mode: postMessage from an unexpected origin is ignored and counted, by the frame and by the loader', async () => {
      const frame = `${world.relay.origin}/widget/frame.html`;
      // An attacker's page frames the business's chat frame and offers it a port.
      await page.goto(`${world.attacker.origin}/attacker.html`);
      await waitInPage(page, `() => window.attackerSent === true`);
      await waitInPage(
        { run: (fn, ...args) => page.runInFrame(frame, fn, ...args) },
        `() => document.documentElement.dataset.ignoredMessages === '1'`,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(await page.run<unknown[]>(`() => window.attackerReplies`)).toEqual([]);

      // On the customer's page, a third-party frame posts look-alike messages to the page.
      await page.goto(world.demo('scripted', { 'open-shadow': '', sibling: '', mode: 'isolated', frame }));
      await openLauncher(page);
      await waitInPage(page, `() => document.querySelector('sealdesk-chat').dataset.state === 'ready'`);
      await page.runInFrame(
        `${world.attacker.origin}/sibling.html`,
        `() => {
        parent.postMessage({ t: 'unread', n: 42 }, '*');
        parent.postMessage({ sealdesk: 'connect', version: 1 }, '*');
        return true;
      }`,
      );
      await waitInPage(page, `() => document.querySelector('sealdesk-chat').dataset.ignoredMessages === '2'`);
      expect(await page.run<string>(PROBES.text, '.badge')).toBe('0');
      // A second connect, even from the page's own origin, does not take the frame's port away.
      await page.run(`() => {
        const frame = document.querySelector('sealdesk-chat').shadowRoot.querySelector('iframe');
        frame.contentWindow.postMessage({ sealdesk: 'connect', version: 1 }, '*', [new MessageChannel().port2]);
        return true;
      }`);
      await waitInPage(
        { run: (fn, ...args) => page.runInFrame(frame, fn, ...args) },
        `() => document.documentElement.dataset.ignoredMessages === '1'`,
      );
    });
  });
}
