/**
 * The relay rewrites the routing data it is trusted with (security brief §4 "rewrite ciphertext
 * envelopes"; F20): it moves a packet into another conversation, or re-addresses it to another
 * device. The envelope's fields are routing only; the packet inside names its conversation,
 * sender and recipient again and binds them into its AEAD associated data, so a spliced or
 * re-routed packet is refused with a typed error and the `misrouted` alert, shows nothing and
 * changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { ALERT_KINDS, MisroutedPacketError } from '../../shared/protocol/index.js';
import { interceptNext, toDevice } from '../support/attacker.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

describe('attack: envelope rewriting (routing data)', () => {
  it('F20: a packet re-addressed from one agent device to another is refused (typed error, nothing shown, state unchanged)', async () => {
    const world = await ProtocolWorld.create('reroute');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'setup');
    const laptop = world.device('ada-laptop').keys.deviceId;
    const phone = world.device('ada-phone').keys.deviceId;
    interceptNext(world.relay, toDevice(laptop), (e) => [{ ...e, recipient: { kind: 'device', deviceId: phone } }]);
    await convo.visitorSends('for the laptop');
    await convo.deliverToAgent('ada-phone'); // gets its own copy and the laptop's re-routed one
    expect(texts(convo.agent('ada-phone')).filter((t) => t === 'for the laptop')).toHaveLength(1);
    expect(convo.agent('ada-phone').errors.some((e) => e instanceof MisroutedPacketError)).toBe(true);
    expect(alertKinds(convo.agent('ada-phone'))).toContain(ALERT_KINDS.misrouted);
    await expectHonestRoundTrip(convo, 'after-reroute', 'ada-phone');
  });

  it('F20: a packet spliced from one conversation into another is refused (typed error, nothing shown, state unchanged)', async () => {
    const world = await ProtocolWorld.create('splice');
    const a = await WorldConversation.start(world, 'visitor-a');
    const b = await WorldConversation.start(world, 'visitor-b');
    await expectHonestRoundTrip(a, 'setup-a');
    await expectHonestRoundTrip(b, 'setup-b');
    interceptNext(
      world.relay,
      (e) => e.recipient.kind === 'visitor',
      (e) => [{ ...e, conversationId: b.conversationId }],
    );
    await a.agentSends('ada-laptop', 'meant for visitor A');
    await b.deliverToVisitor();
    expect(texts(b.visitor)).not.toContain('meant for visitor A');
    expect(b.visitor.errors[0]).toBeInstanceOf(MisroutedPacketError);
    expect(alertKinds(b.visitor)).toContain(ALERT_KINDS.misrouted);
    await expectHonestRoundTrip(b, 'after-splice');
  });
});
