/**
 * Issue #15 item 1, PROTOCOL §9.9 and §16.12, against a real relay process behind the hostile
 * proxy: who on the team is viewing or typing in a conversation. Olga (two devices) and Sam (one).
 * Olga opens the conversation: Sam sees "viewing" live, then "typing"; it ends with "stopped" or,
 * when the refreshes stop coming, expires. Olga's own second device shows nothing of her (own
 * agent, §9.9). The visitor's socket never carries a signal. A signal the proxy replays, or
 * re-attributes to another device, is refused; so is one from a device removed since.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationActivity } from '../../shared/runtime/index.js';
import { type RelayFrame, asDeviceId, idBytesFromHex } from '../../shared/wire/index.js';
import { type HostileWorld, hostileWorld } from '../support/hostile-proxy-world.js';
import type { ProxiedSocket } from '../support/hostile-proxy.js';
import {
  type AgentHandle,
  type VisitorHandle,
  link,
  waitFor,
  waitForCurrentArchiveKey,
} from './support/runtime-world.js';

type Signal = Extract<RelayFrame, { type: 'team-signal' }>;

/** The activity in `conversationId` as the device last heard it ('' when none). */
function shown(agent: AgentHandle, conversationId: string): string {
  const last = agent.events.of('teamActivity').at(-1) ?? [];
  return describeIn(last, conversationId);
}

function describeIn(activity: readonly ConversationActivity[], conversationId: string): string {
  const agents = activity.find((a) => a.conversationId === conversationId)?.agents ?? [];
  return agents.map((a) => `${a.agentName} ${a.activity}`).join(', ');
}

/** A conversation id no visitor opened: a marker the test views to know earlier frames were handled. */
function markerId(n: number): string {
  return n.toString(16).padStart(32, 'f');
}

describe('#15.1, §9.9, §16.12: who on the team views or types, end to end', () => {
  let world: HostileWorld;
  let olga: AgentHandle;
  let olga2: AgentHandle;
  let sam: AgentHandle;
  let visitor: VisitorHandle;
  let conversationId = '';
  let samDevice = '';
  let olga2Device = '';
  /** Team-signal frames the relay sent towards Sam, in order. */
  const toSam: Signal[] = [];
  /** Team-signal frames the relay sent on any visitor socket (§16.12: none, ever). */
  let toVisitors = 0;
  const onSamSocket = (socket: ProxiedSocket): boolean => socket.queue === `device:${samDevice}`;

  beforeAll(async () => {
    world = await hostileWorld();
    olga = world.agent;
    olga2 = await link(world.proxy.origin, olga);
    sam = await link(world.proxy.origin, olga, { agentName: 'Sam', role: 'agent' });
    samDevice = (await sam.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    olga2Device = (await olga2.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    visitor = world.visitor();
    await visitor.runtime.start();
    conversationId = (await visitor.runtime.openConversation()).conversationId;
    const first = await visitor.runtime.sendText('is anyone there?');
    for (const a of [olga, olga2, sam])
      await waitFor(() => a.events.of('message').some((m) => m.id === first), 'the first message everywhere', 30_000);
    // Signals are sealed under the current archive key (§9.9): every device holds it first.
    await waitForCurrentArchiveKey([olga, olga2, sam]);
    world.proxy.relayFrameHook = (frame, socket) => {
      if (frame.type === 'team-signal' && onSamSocket(socket)) toSam.push(frame);
      if (frame.type === 'team-signal' && socket.queue?.startsWith('visitor:') === true) toVisitors += 1;
      return undefined;
    };
  }, 180_000);

  afterAll(async () => {
    for (const a of [olga2, sam]) a.runtime.dispose();
    await world.stop();
  });

  it('Olga views, then types: Sam sees it live; "stopped" and expiry end it; her own device and the visitor see nothing', async () => {
    await olga.runtime.setViewing(conversationId);
    await waitFor(() => shown(sam, conversationId) === 'Olga viewing', 'Sam sees Olga viewing');
    await olga.runtime.setComposing(conversationId, true);
    await waitFor(() => shown(sam, conversationId) === 'Olga typing', 'Sam sees Olga typing');
    const olgaAgent = (await olga.runtime.devices()).find((d) => d.self)?.agentId ?? '';
    expect(await sam.runtime.teamActivity()).toEqual([
      { conversationId, agents: [{ agentId: olgaAgent, agentName: 'Olga', activity: 'typing' }] },
    ]);
    await olga.runtime.setComposing(conversationId, false);
    await waitFor(() => shown(sam, conversationId) === 'Olga viewing', 'back to viewing once the draft is sent');
    await olga.runtime.setViewing(null);
    await waitFor(() => shown(sam, conversationId) === '', 'stopped: Olga left the conversation');

    // Sam views; the proxy then drops his signals (no refresh, no "stopped"): Olga's devices let it expire.
    await sam.runtime.setViewing(conversationId);
    await waitFor(() => shown(olga2, conversationId) === 'Sam viewing', 'Olga’s second device sees Sam');
    world.proxy.clientFrameHook = (frame, socket) =>
      frame.type === 'team-signal' && onSamSocket(socket) ? [] : undefined;
    await sam.runtime.setViewing(null);
    await waitFor(() => shown(olga2, conversationId) === '', 'Sam’s viewing expired without a refresh', 30_000);
    world.proxy.clientFrameHook = undefined;

    // Olga's own second device never listed Olga (own agent); the visitor's socket carried no signal.
    expect(
      olga2.events.of('teamActivity').some((a) => a.some((c) => c.agents.some((x) => x.agentName === 'Olga'))),
    ).toBe(false);
    expect(JSON.stringify(visitor.events.seen)).not.toContain('viewing');
    expect(world.proxy.sockets.some((s) => s.queue?.startsWith('visitor:') === true)).toBe(true);
    expect(toVisitors).toBe(0);
    expect(toSam.length).toBeGreaterThan(0);
  }, 90_000);

  it('a replayed signal, and one re-attributed to another device, are refused', async () => {
    const before = toSam.length;
    await olga.runtime.setViewing(conversationId);
    await waitFor(() => shown(sam, conversationId) === 'Olga viewing', 'Olga viewing again');
    const captured = toSam.slice(before).at(-1);
    if (captured === undefined) throw new Error('no signal towards Sam was seen');
    await olga.runtime.setViewing(null);
    await waitFor(() => shown(sam, conversationId) === '', 'Olga left');
    const samSocket = world.proxy.sockets.filter(onSamSocket).at(-1);
    if (samSocket === undefined) throw new Error('no socket of Sam');

    // Replayed as it came: the same (at, sequence) again.
    const eventsBefore = sam.events.of('teamActivity').length;
    samSocket.toClient(captured);
    // Re-attributed: the relay names Olga's other device as its author (signature, key and aad bind the author).
    samSocket.toClient({ ...captured, author: asDeviceId(idBytesFromHex(olga2Device)) });
    // A marker after both on the same socket: once it shows, both were handled (in order).
    await olga.runtime.setViewing(markerId(1));
    await waitFor(() => shown(sam, markerId(1)) === 'Olga viewing', 'the marker');
    const after = sam.events.of('teamActivity').slice(eventsBefore);
    expect(after.some((a) => describeIn(a, conversationId) !== '')).toBe(false);
    expect(sam.events.of('alert').filter((a) => a.kind === 'team-signal-refused')).toHaveLength(1);
    await olga.runtime.setViewing(null);
  }, 60_000);

  it('a signal from a device removed since is refused', async () => {
    // Olga's second device views; the proxy holds the signal back from Sam.
    let held: Signal | undefined;
    world.proxy.relayFrameHook = (frame, socket) => {
      if (frame.type !== 'team-signal' || !onSamSocket(socket)) return undefined;
      if (held === undefined && Buffer.from(frame.author).toString('hex') === olga2Device) {
        held = frame;
        return [];
      }
      return undefined;
    };
    await olga2.runtime.setViewing(conversationId);
    await waitFor(() => held !== undefined, 'the second device’s signal held back');
    await olga.runtime.revokeDevice(olga2Device);
    await waitFor(
      async () => {
        await sam.runtime.conversations();
        return !(await sam.runtime.devices()).some((d) => d.deviceId === olga2Device);
      },
      'Sam’s verified list without the removed device',
      20_000,
    );
    const samSocket = world.proxy.sockets.filter(onSamSocket).at(-1);
    if (samSocket === undefined || held === undefined) throw new Error('nothing held');
    const eventsBefore = sam.events.of('teamActivity').length;
    samSocket.toClient(held);
    await olga.runtime.setViewing(markerId(2));
    await waitFor(() => shown(sam, markerId(2)) === 'Olga viewing', 'the marker');
    const after = sam.events.of('teamActivity').slice(eventsBefore);
    expect(after.some((a) => describeIn(a, conversationId) !== '')).toBe(false);
  }, 60_000);
});
