/**
 * Issue #16 item 3: a whole conversation (pre-chat answer, text both ways, typing, read receipts,
 * an attachment, an internal note, a canned reply created and sent, a search, the close) carrying a
 * unique canary, through the hostile proxy to a real relay process. Afterwards no form of the canary
 * (canary.ts) is in the relay's database files (main file, -wal, -shm, while it runs and after it
 * stops), its stdout/stderr, its /metrics output, or any byte that crossed its sockets (captured by
 * the proxy). The note and the canned reply travel to the relay as sealed team records (PROTOCOL
 * §9.7, §9.8); the search runs on the device.
 *
 * The search can fail: the same search over a control file that holds the canary in each form
 * finds every form, and the honest widget configuration (public by design) is found in the
 * relay's database when it carries a second canary.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWidgetConfig } from '../../shared/runtime/index.js';
import { type HostileWorld, hostileWorld, waitFor } from '../support/hostile-proxy-world.js';
import { canaryForms, canaryHits, filesUnder, newCanary } from './support/canary.js';

describe('#16.3: the canary', () => {
  let world: HostileWorld;
  const canary = newCanary();
  /** Published in the widget configuration, which is signed, not secret: the relay must hold it. */
  const publicCanary = newCanary();

  beforeAll(async () => {
    world = await hostileWorld();
  }, 60_000);

  afterAll(async () => {
    await world.stop();
  });

  it('#16.3: the search finds every form of a canary written in plaintext to a control file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealdesk-canary-'));
    try {
      for (const prefix of ['', 'a', 'ab']) {
        const text = `${prefix}${canary}.`;
        const control = Buffer.concat([
          Buffer.from(`log: ${text}\n`),
          Buffer.from(text, 'utf16le'),
          Buffer.from(text, 'utf16le').swap16(),
          Buffer.from(` ${Buffer.from(text).toString('hex').toUpperCase()} `),
          Buffer.from(` ${Buffer.from(text).toString('base64')} ${Buffer.from(text).toString('base64url')} `),
        ]);
        writeFileSync(join(dir, `control-${prefix.length}.bin`), control);
      }
      const found = new Set(filesUnder(dir).flatMap((f) => canaryHits(f.bytes, canary)));
      expect([...found].sort()).toEqual(
        canaryForms(canary)
          .map((f) => f.name)
          .sort(),
      );
      expect(canaryHits(Buffer.from('nothing here'), canary)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('#16.3: a full conversation leaves no form of its canary in the relay’s database, WAL, logs, metrics or socket bytes', async () => {
    const { agent, proxy, relay } = world;
    await agent.runtime.publishWidgetConfig({ ...defaultWidgetConfig(), greeting: `Welcome ${publicCanary}` });

    const visitor = world.visitor();
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation({
      question: 'Your order number?',
      answer: `order ${canary}`,
    });
    await visitor.runtime.setTyping(true);
    const question = await visitor.runtime.sendText(`my secret is ${canary}`);
    const file = new TextEncoder().encode(`${canary}\n`.repeat(2000));
    const sentFile = await visitor.runtime.sendAttachment(new Blob([file], { type: 'text/plain' }), `${canary}.txt`);
    await waitFor(() => agent.events.of('message').some((m) => m.id === sentFile), 'the attachment at the agent');
    const received = agent.events.of('message').find((m) => m.id === sentFile);
    if (received?.body.kind !== 'attachment') throw new Error('not an attachment');
    expect(new Uint8Array(await (await agent.runtime.openAttachment(received.body.attachment)).arrayBuffer())).toEqual(
      file,
    );
    await agent.runtime.markRead(conversationId, question);
    await agent.runtime.setTyping(conversationId, true);
    const reply = await agent.runtime.sendText(conversationId, `the answer is ${canary}`);
    await waitFor(() => visitor.events.of('message').some((m) => m.id === reply), 'the reply');
    await visitor.runtime.markRead(reply);
    await waitFor(
      () => agent.events.of('status').some((s) => s.messageId === reply && s.status === 'read'),
      'the read receipt',
    );
    // Team features: a note and a canned reply are sealed records at the relay; the search is local.
    await agent.runtime.addNote(conversationId, `note ${canary}`);
    const canned = await agent.runtime.saveCannedReply({ shortcut: 'canary', body: `canned ${canary}` });
    const cannedSent = await agent.runtime.sendText(conversationId, canned.body);
    await waitFor(() => visitor.events.of('message').some((m) => m.id === cannedSent), 'the canned reply');
    await agent.runtime.setStatus(conversationId, 'resolved');
    const found = (await agent.runtime.searchMessages(canary)).map((hit) => hit.text);
    expect(found).toEqual(expect.arrayContaining([`my secret is ${canary}`, `canned ${canary}`, `note ${canary}`]));
    expect((await agent.runtime.history(conversationId)).some((m) => m.body.kind === 'note')).toBe(true);
    expect(visitor.events.of('message').some((m) => m.body.kind === 'text' && m.body.text.startsWith('note '))).toBe(
      false,
    );
    await visitor.runtime.close(`closed ${canary}`);
    await waitFor(() => agent.events.of('message').some((m) => m.body.kind === 'close'), 'the close');
    // Everything each side saw was the canary's conversation, honestly, with no alert.
    expect(visitor.events.of('typing')).toEqual([{ agentName: 'Olga', active: true }]);
    expect(agent.events.of('typing').some((t) => t.active)).toBe(true);
    expect(agent.events.of('alert')).toEqual([]);
    expect(visitor.events.of('alert')).toEqual([]);

    const metrics = await fetch(`${proxy.origin}/metrics`);
    expect(metrics.status).toBe(200);
    await metrics.arrayBuffer();

    const running = filesUnder(relay.dataDir);
    expect(running.map((f) => f.path).some((p) => p.endsWith('-wal'))).toBe(true);
    const places = (): { place: string; bytes: Uint8Array }[] => [
      ...filesUnder(relay.dataDir).map((f) => ({ place: f.path, bytes: f.bytes })),
      { place: 'relay stdout/stderr', bytes: Buffer.from(relay.output()) },
      { place: 'bytes on the relay’s sockets', bytes: Buffer.concat(proxy.captured) },
    ];
    const whileRunning = places();
    await relay.stop('SIGTERM');
    const stopped = places();
    const hits = [...running.map((f) => ({ place: f.path, bytes: f.bytes })), ...whileRunning, ...stopped].flatMap(
      ({ place, bytes }) => canaryHits(bytes, canary).map((form) => `${form} in ${place}`),
    );
    expect(hits).toEqual([]);
    // The note and the canned reply did reach the relay, as records of their namespaces (§9.7, §9.8).
    const sockets = Buffer.concat(proxy.captured).toString('latin1');
    expect(sockets).toMatch(/\/history\/[0-9a-f]{32}\/007465616d02[0-9a-f]{16}\?notify=1/);
    expect(sockets).toMatch(
      new RegExp(`/history/[0-9a-f]{32}/${Buffer.from('sealdesk/team/v2').toString('hex')}[0-9a-f]+\\?notify=1`),
    );
    // The metrics output went through the proxy: its bytes are among the captured ones.
    expect(Buffer.concat(proxy.captured).includes('sealdesk_')).toBe(true);

    // Control: the public configuration's canary is where the relay keeps it (the search can see it).
    const publicHits = stopped.flatMap(({ place, bytes }) =>
      canaryHits(bytes, publicCanary).length > 0 ? [place] : [],
    );
    expect(publicHits).toContain('bytes on the relay’s sockets');
    expect(publicHits.some((p) => p.startsWith(relay.dataDir))).toBe(true);
  }, 90_000);
});
