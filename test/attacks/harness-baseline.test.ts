/**
 * The attack harness itself, with no attack: an honest relay delivers a whole conversation, every
 * device shows every message once and in order, and nobody raises an alert. Every attack test
 * relies on this baseline; a harness bug shows up here first.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolWorld } from '../support/protocol-world.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

describe('hostile-relay harness baseline (no attack)', () => {
  it('an honest relay delivers a conversation to every device, in order, once, without alerts', async () => {
    const world = await ProtocolWorld.create('baseline');
    const convo = await WorldConversation.start(world);
    await convo.visitorSends('hello');
    await convo.visitorSends('my order is late');
    await convo.deliverAll();
    await convo.agentSends('ada-laptop', 'sorry, looking now');
    await convo.deliverAll();
    await expectHonestRoundTrip(convo, 'baseline');
    await convo.deliverAll();
    expect(texts(convo.visitor)).toEqual(['sorry, looking now', 'honest answer baseline']);
    expect(texts(convo.agent('ada-phone'))).toEqual([
      'hello',
      'my order is late',
      'sorry, looking now',
      'honest question baseline',
      'honest answer baseline',
    ]);
    expect(texts(convo.agent('owner'))).toEqual(texts(convo.agent('ada-phone')));
    for (const party of [convo.visitor, ...convo.agents.values()]) {
      expect(alertKinds(party), party.name).toEqual([]);
      expect(party.errors, party.name).toEqual([]);
    }
  });

  it('the same seed gives the same bytes on the wire (deterministic world)', async () => {
    const run = async (): Promise<string> => {
      const world = await ProtocolWorld.create('determinism');
      const convo = await WorldConversation.start(world);
      await convo.visitorSends('same bytes');
      return world.relay.recorded.map((r) => Buffer.from(r.bytes).toString('hex')).join('|');
    };
    expect(await run()).toEqual(await run());
  });
});
