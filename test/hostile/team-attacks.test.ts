/**
 * Issue #16 item 2, end to end with a team of two devices (the owner's, and one linked to it
 * through the proxy): a visitor message withheld from one device only, and, after that device is
 * revoked, the older list that still names it served again (PROTOCOL §4.4, §7.10).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDatabase } from '../../shared/storage/index.js';
import { type AgentHandle, link } from '../runtime/support/runtime-world.js';
import { interceptDelivers, toDevice } from '../support/hostile-proxy-frames.js';
import { type HostileWorld, hostileWorld, textsOf, waitFor } from '../support/hostile-proxy-world.js';

describe('#16.2: attacks on a team of two devices through the proxy (real relay, real runtimes)', () => {
  let world: HostileWorld;
  let linked: AgentHandle;
  let linkedDevice = '';

  beforeAll(async () => {
    world = await hostileWorld();
    linked = await link(world.proxy.origin, world.agent);
    linkedDevice = (await linked.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
  }, 90_000);

  afterEach(() => {
    world.proxy.honest();
  });

  afterAll(async () => {
    linked.runtime.dispose();
    await world.stop();
  });

  const seenBy = (agent: AgentHandle, conversationId: string) =>
    agent.events.of('message').filter((m) => m.conversationId === conversationId && m.from === 'visitor');

  it('#16.2 F9: a visitor message delivered to one agent device only is "A message may be missing" and "Team devices saw different messages" on the other; later messages reach both', async () => {
    const visitor = world.visitor();
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const hello = await visitor.runtime.sendText('hello');
    await waitFor(() => seenBy(linked, conversationId).some((m) => m.id === hello), 'hello on the linked device');

    world.proxy.relayFrameHook = interceptDelivers(toDevice(linkedDevice), 1, () => []);
    const withheld = await visitor.runtime.sendText('refund to my usual card please');
    await waitFor(() => seenBy(world.agent, conversationId).some((m) => m.id === withheld), 'the owner device');
    // The owner device answers: its acknowledgement of the withheld message reaches the linked device.
    await world.agent.runtime.sendText(conversationId, 'Done.');
    // The next visitor message: once the reorder window has passed, the linked device declares the gap
    // and, holding the owner device's acknowledgement of what it missed, the divergence.
    const next = await visitor.runtime.sendText('thank you');
    await waitFor(() => seenBy(linked, conversationId).some((m) => m.id === next), 'the next message, linked', 20_000);
    expect(linked.events.of('alert')).toMatchObject([
      { kind: 'gap', severity: 'warning', title: 'A message may be missing', conversationId },
      { kind: 'device-divergence', severity: 'warning', title: 'Team devices saw different messages', conversationId },
    ]);
    expect(world.agent.events.of('alert')).toEqual([]);
    const last = await visitor.runtime.sendText('bye');
    await waitFor(() => seenBy(linked, conversationId).some((m) => m.id === last), 'the last message, linked');
    await waitFor(() => seenBy(world.agent, conversationId).some((m) => m.id === last), 'the last message, owner');
    expect(textsOf(seenBy(world.agent, conversationId))).toEqual([
      'hello',
      'refund to my usual card please',
      'thank you',
      'bye',
    ]);
    expect(textsOf(seenBy(linked, conversationId))).toEqual(['hello', 'thank you', 'bye']);
  }, 90_000);

  it('#16.2 §7.8: a visitor message for the owner device delivered to the linked device too is refused there unread as "A message for someone else arrived", kept with the conversation; both devices show the message once', async () => {
    const ownerDevice = (await world.agent.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    const visitor = world.visitor();
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const hello = await visitor.runtime.sendText('hello');
    await waitFor(() => seenBy(linked, conversationId).some((m) => m.id === hello), 'hello on the linked device');
    world.proxy.relayFrameHook = interceptDelivers(toDevice(ownerDevice), 1, (frame) => {
      const target = world.proxy.sockets.find((s) => s.queue === `device:${linkedDevice}`);
      if (target === undefined) throw new Error('the linked device’s socket is not open');
      target.toClient({ ...frame, cursor: 0 });
      return [frame];
    });
    const order = await visitor.runtime.sendText('order A-7 please');
    await waitFor(() => seenBy(world.agent, conversationId).some((m) => m.id === order), 'the order, owner');
    await waitFor(() => seenBy(linked, conversationId).some((m) => m.id === order), 'the order, linked');
    await waitFor(
      () => linked.events.of('alert').some((a) => a.conversationId === conversationId),
      'the alert on the linked device',
    );
    expect(linked.events.of('alert').filter((a) => a.conversationId === conversationId)).toMatchObject([
      { kind: 'misrouted', severity: 'warning', title: 'A message for someone else arrived' },
    ]);
    expect((await linked.runtime.alerts(conversationId)).map((a) => a.kind)).toEqual(['misrouted']);
    expect(textsOf(seenBy(linked, conversationId))).toEqual(['hello', 'order A-7 please']);
    expect(textsOf(seenBy(world.agent, conversationId))).toEqual(['hello', 'order A-7 please']);
  }, 90_000);

  it('#16.2 F10: after a device is revoked, the older list that still names it, served as newer, is refused as a rollback; the same browser goes on once the proxy is honest', async () => {
    const before = await fetch(`${world.relay.origin}/v1/accounts/${world.accountId}/device-lists/latest`);
    const namingLinked = new Uint8Array(await before.arrayBuffer());
    const versionNamingLinked = Number(before.headers.get('sealdesk-version'));
    await world.agent.runtime.revokeDevice(linkedDevice);
    linked.runtime.dispose();

    const db = new MemoryDatabase();
    const seen = world.visitor(db);
    await seen.runtime.start();
    const { conversationId } = await seen.runtime.openConversation();
    seen.runtime.dispose();

    const claimed = String(versionNamingLinked + 2);
    world.proxy.httpHook = (exchange) =>
      exchange.path.startsWith(`/v1/accounts/${world.accountId}/device-lists/`)
        ? { status: 200, headers: { ...exchange.headers, 'sealdesk-version': claimed }, body: namingLinked }
        : undefined;
    const reloaded = world.visitor(db);
    await expect(reloaded.runtime.start()).rejects.toMatchObject({ name: 'RollbackError' });
    expect(reloaded.events.of('alert')).toMatchObject([
      { kind: 'rollback', severity: 'danger', title: 'An old team list was offered' },
    ]);
    reloaded.runtime.dispose();

    world.proxy.honest();
    const honest = world.visitor(db);
    expect((await honest.runtime.start()).conversation?.conversationId).toBe(conversationId);
    const id = await honest.runtime.sendText('still here');
    await waitFor(() => seenBy(world.agent, conversationId).some((m) => m.id === id), 'the message after the attack');
  }, 90_000);
});
