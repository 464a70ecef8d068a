/**
 * The attack suite's packet-level relay attacks (test/attacks: counter-and-downgrade,
 * envelope-rewrite) run again end to end: the hostile proxy between the real runtimes and a real
 * relay process rewrites what it delivers to the visitor. Each test asserts what a person sees: the
 * named alert in plain words, the genuine message shown once, and the conversation going on
 * (PROTOCOL §6.5, §7.8).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VisitorHandle } from '../runtime/support/runtime-world.js';
import { type HostileWorld, hostileWorld, textsOf, waitFor } from '../support/hostile-proxy-world.js';
import { interceptDelivers, toVisitor, withRatchetHeader } from '../support/hostile-proxy-frames.js';

/** What the visitor is shown as coming from the business. */
const repliesAt = (visitor: VisitorHandle) => visitor.events.of('message').filter((m) => m.from === 'agent');

describe('#16.2: packet rewrites through the hostile proxy (real relay, real runtimes)', () => {
  let world: HostileWorld;

  beforeAll(async () => {
    world = await hostileWorld();
  }, 60_000);

  afterEach(() => {
    world.proxy.honest();
  });

  afterAll(async () => {
    await world.stop();
  });

  async function agentSays(conversationId: string, visitor: VisitorHandle, text: string): Promise<void> {
    const id = await world.agent.runtime.sendText(conversationId, text);
    await waitFor(() => visitor.events.of('message').some((m) => m.id === id), `"${text}" at the visitor`, 20_000);
  }

  /** A conversation past its first exchange both ways, so the agent's next reply is a `normal` packet (§6.4). */
  async function conversation(): Promise<{ visitor: VisitorHandle; conversationId: string }> {
    const { visitor, conversationId } = await world.conversation();
    await agentSays(conversationId, visitor, 'Hello, how can we help?');
    const next = await visitor.runtime.sendText('where is my parcel?');
    await waitFor(() => world.agent.events.of('message').some((m) => m.id === next), 'the visitor’s second message');
    return { visitor, conversationId };
  }

  /** The proxy delivers the next reply twice: first rewritten by `rewrite`, then as it came. */
  function rewriteNextReply(rewrite: (envelope: Uint8Array) => Uint8Array): void {
    world.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, (frame) => [
      { ...frame, envelope: rewrite(frame.envelope), cursor: 0 },
      frame,
    ]);
  }

  async function expectOneAlertThenTalks(
    visitor: VisitorHandle,
    conversationId: string,
    alert: { kind: string; severity: string; title: string },
  ): Promise<void> {
    await agentSays(conversationId, visitor, 'It left this morning.');
    await waitFor(() => visitor.events.of('alert').length > 0, 'the alert');
    expect(visitor.events.of('alert')).toMatchObject([alert]);
    await agentSays(conversationId, visitor, 'Anything else?');
    expect(textsOf(repliesAt(visitor))).toEqual(['Hello, how can we help?', 'It left this morning.', 'Anything else?']);
  }

  it('#16.2 F21: a reply whose ratchet header names an older protocol version is refused, "An older protocol was refused"; the genuine reply and the next are shown', async () => {
    const { visitor, conversationId } = await conversation();
    rewriteNextReply((envelope) => withRatchetHeader(envelope, (h) => ({ ...h, version: h.version - 1 })));
    await expectOneAlertThenTalks(visitor, conversationId, {
      kind: 'downgrade',
      severity: 'danger',
      title: 'An older protocol was refused',
    });
  }, 60_000);

  it('#16.2 §6.5: a reply whose message counter the proxy pushed 100,000 ahead is refused before any key is derived, "A message jumped too far ahead"; the genuine reply and the next are shown', async () => {
    const { visitor, conversationId } = await conversation();
    rewriteNextReply((envelope) => withRatchetHeader(envelope, (h) => ({ ...h, n: h.n + 100_000 })));
    await expectOneAlertThenTalks(visitor, conversationId, {
      kind: 'absurd-skip',
      severity: 'warning',
      title: 'A message jumped too far ahead',
    });
  }, 60_000);

  it('#16.2 §7.8: a reply to another visitor’s conversation delivered into this one is refused unread, "A message for someone else arrived"; both conversations go on', async () => {
    const mine = await conversation();
    const theirs = await conversation();
    const mineQueue = `visitor:${mine.conversationId}`;
    world.proxy.relayFrameHook = interceptDelivers(
      (socket) => toVisitor(socket) && socket.queue !== mineQueue,
      1,
      (frame) => {
        const target = world.proxy.sockets.find((s) => s.queue === mineQueue);
        if (target === undefined) throw new Error('the first visitor’s socket is not open');
        target.toClient({ ...frame, cursor: 0 });
        return [frame];
      },
    );
    await agentSays(theirs.conversationId, theirs.visitor, 'Your refund is on its way.');
    await waitFor(() => mine.visitor.events.of('alert').length > 0, 'the alert');
    expect(mine.visitor.events.of('alert')).toMatchObject([
      { kind: 'misrouted', severity: 'warning', title: 'A message for someone else arrived' },
    ]);

    expect(theirs.visitor.events.of('alert')).toEqual([]);
    await agentSays(mine.conversationId, mine.visitor, 'And yours left this morning.');
    expect(textsOf(repliesAt(mine.visitor))).toEqual(['Hello, how can we help?', 'And yours left this morning.']);
    expect(textsOf(repliesAt(theirs.visitor))).toEqual(['Hello, how can we help?', 'Your refund is on its way.']);
    // Kept with the conversation it arrived in: the page reloaded still shows it.
    mine.visitor.runtime.dispose();
    const reloaded = world.visitor(mine.visitor.storage.db);
    expect((await reloaded.runtime.start()).conversation?.alerts).toMatchObject([
      { kind: 'misrouted', conversationId: mine.conversationId },
    ]);
    reloaded.runtime.dispose();
  }, 60_000);

  it('#16.2 §3.3: the one-time prekey the proxy hands to a second visitor too is refused at the agent, "A one-use key was offered twice"; the first visitor’s conversation goes on', async () => {
    const firstAnswers = new Map<string, Uint8Array>();
    world.proxy.httpHook = (exchange) => {
      if (exchange.method !== 'POST' || !exchange.path.endsWith('/one-time-prekeys/claim') || exchange.status !== 200)
        return undefined;
      const first = firstAnswers.get(exchange.path);
      if (first === undefined) {
        firstAnswers.set(exchange.path, exchange.body);
        return undefined;
      }
      return { ...exchange, body: first };
    };
    const alertsBefore = world.agent.events.of('alert').length;
    const { visitor, conversationId } = await conversation();
    expect(firstAnswers.size).toBeGreaterThan(0);
    const second = world.visitor();
    await second.runtime.start();
    const opened = await second.runtime.openConversation();
    const refused = await second.runtime.sendText('a second visitor, same one-use key');
    await waitFor(() => world.agent.events.of('alert').length > alertsBefore, 'the alert at the agent');
    expect(world.agent.events.of('alert').slice(alertsBefore)).toMatchObject([
      { kind: 'prekey-reuse', severity: 'warning', title: 'A one-use key was offered twice' },
    ]);
    await agentSays(conversationId, visitor, 'Still here for you.');
    const shownAtAgent = world.agent.events.of('message');
    expect(shownAtAgent.some((m) => m.id === refused || m.conversationId === opened.conversationId)).toBe(false);
    expect(textsOf(repliesAt(visitor))).toEqual(['Hello, how can we help?', 'Still here for you.']);
  }, 60_000);
});
