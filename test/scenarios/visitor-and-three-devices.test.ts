/**
 * Story: a visitor opens the chat on a customer's site and talks to an agent who has three
 * devices. Every device sees the visitor's messages, every device sees what the agent answered
 * from any of them, and the visitor sees all answers — each message exactly once, in order.
 */
import { describe, expect, it } from 'vitest';
import { agentSends, relaylessWorld, deliverAll, releasedTexts, visitorSends } from '../support/relayless-world.js';

describe('scenario: a visitor and an agent with three devices', () => {
  it('F3 F7 F8: all three devices see the whole history and the visitor sees every reply', async () => {
    const world = await relaylessWorld('three-devices');
    const [laptop, phone, tablet] = world.agents;
    if (laptop === undefined || phone === undefined || tablet === undefined) throw new Error('three devices expected');

    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'Hello, is my order shipped?' }));
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'Order 1234' }));
    for (const a of world.agents) expect(releasedTexts(a.shown)).toEqual(['Hello, is my order shipped?', 'Order 1234']);

    await deliverAll(world, await agentSends(world, laptop, { kind: 'text', text: 'Let me check.' }));
    await deliverAll(world, await agentSends(world, phone, { kind: 'text', text: 'It left today.' }));
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'Thanks!' }));
    await deliverAll(world, await agentSends(world, tablet, { kind: 'close', reason: 'resolved' }));

    expect(releasedTexts(world.visitor.shown)).toEqual(['Let me check.', 'It left today.', '<close>']);
    expect(releasedTexts(laptop.shown)).toEqual([
      'Hello, is my order shipped?',
      'Order 1234',
      'It left today.',
      'Thanks!',
      '<close>',
    ]);
    expect(releasedTexts(phone.shown)).toEqual([
      'Hello, is my order shipped?',
      'Order 1234',
      'Let me check.',
      'Thanks!',
      '<close>',
    ]);
    expect(releasedTexts(tablet.shown)).toEqual([
      'Hello, is my order shipped?',
      'Order 1234',
      'Let me check.',
      'It left today.',
      'Thanks!',
    ]);
    for (const party of [world.visitor, ...world.agents]) expect(party.alerts).toEqual([]);
  });
});
