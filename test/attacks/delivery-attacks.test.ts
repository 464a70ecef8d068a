/**
 * Security brief §4 "replay", "reorder (shown in sender order, no alert)", "drop (gap shown after
 * the next message arrives)", "delivery to only one of an agent's devices (devices disagree,
 * flagged)" and "truncated conversation (missing close flagged)" — the relay's power over
 * delivery (F9). Every message carries a per-sender sequence number and the hash of the sender's
 * previous one, acknowledgements say what was seen, and a conversation ends with an
 * authenticated close.
 */
import { describe, expect, it } from 'vitest';
import { ALERT_KINDS, ReplayError, ORDER_LIMITS } from '../../shared/protocol/index.js';
import { interceptNext, toDevice, toVisitor } from '../support/attacker.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

const WINDOW = ORDER_LIMITS.reorderWindowMs;

describe('attack: replay (security brief §4)', () => {
  it('F9: replayed refund message is rejected with a replay alert and shown once', async () => {
    const world = await ProtocolWorld.create('replay');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('can I get a refund?');
    await convo.deliverAll();
    await convo.agentSends('ada-laptop', 'refund approved');
    const refund = world.relay.recorded.filter((r) => toVisitor(r.envelope)).at(-1);
    if (refund === undefined) throw new RangeError('nothing recorded');
    await convo.deliverToVisitor();
    expect(texts(convo.visitor)).toEqual(['refund approved']);

    world.relay.inject(refund.bytes);
    world.relay.inject(refund.bytes);
    const outcomes = await convo.deliverToVisitor();
    expect(outcomes.map((o) => o.ok)).toEqual([false, false]);
    expect(convo.visitor.errors.every((e) => e instanceof ReplayError)).toBe(true);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.replay, ALERT_KINDS.replay]);
    expect(texts(convo.visitor)).toEqual(['refund approved']);
    await expectHonestRoundTrip(convo, 'after-replay');
  });

  it('F9: a visitor message replayed to the agent after later ratchet steps is rejected with a replay alert', async () => {
    const world = await ProtocolWorld.create('replay-to-agent');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('please cancel order 17');
    const laptop = world.device('ada-laptop').keys.deviceId;
    const original = world.relay.recorded.find((r) => toDevice(laptop)(r.envelope));
    if (original === undefined) throw new RangeError('nothing recorded');
    await convo.deliverAll();
    await expectHonestRoundTrip(convo, 'ratchet-step'); // both sides ratchet past the first chain
    world.relay.inject(original.bytes);
    const outcomes = await convo.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.replay]);
    expect(texts(convo.agent('ada-laptop')).filter((t) => t === 'please cancel order 17')).toHaveLength(1);
    await expectHonestRoundTrip(convo, 'after-replay');
  });
});

describe('attack: replay past the remembered ratchet keys (issue #9 item 8)', () => {
  it('#9.8: a visitor message replayed after 20 ratchet steps is refused as a replay, not as a forgery', async () => {
    const world = await ProtocolWorld.create('replay-old-chain');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'first');
    const laptop = world.device('ada-laptop').keys.deviceId;
    const original = world.relay.recorded.find((r) => toDevice(laptop)(r.envelope));
    if (original === undefined) throw new RangeError('nothing recorded');
    // Each round trip makes the laptop ratchet to a new visitor key: 20 earlier chains, more than the 16 full keys kept before.
    for (let i = 0; i < 20; i++) await expectHonestRoundTrip(convo, `step-${i}`);
    world.relay.inject(original.bytes);
    const outcomes = await convo.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(ReplayError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.replay]);
    await expectHonestRoundTrip(convo, 'after-old-replay');
  });
});

describe('attack: duplicate and delay (hostile-relay hooks)', () => {
  it('F9: an envelope the relay stores twice is shown once; the copy raises a replay alert', async () => {
    const world = await ProtocolWorld.create('duplicate');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'setup');
    interceptNext(world.relay, toVisitor, (e) => [e, e]);
    await convo.agentSends('ada-laptop', 'your refund is on its way');
    await convo.deliverToVisitor();
    expect(texts(convo.visitor).filter((t) => t === 'your refund is on its way')).toHaveLength(1);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.replay]);
    await expectHonestRoundTrip(convo, 'after-duplicate');
  });

  it('F9: a message delayed within the reorder window is shown in sender order without an alert', async () => {
    const world = await ProtocolWorld.create('delay');
    const convo = await WorldConversation.start(world, 'visitor');
    const laptop = world.device('ada-laptop').keys.deviceId;
    interceptNext(world.relay, toDevice(laptop), (e) => {
      world.relay.hold(e);
      return [];
    });
    await convo.visitorSends('first (delayed)');
    await convo.visitorSends('second');
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toEqual([]); // second waits for first
    world.clock.advance(WINDOW - 1000);
    world.relay.releaseHeld();
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toEqual(['first (delayed)', 'second']);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([]);
    await expectHonestRoundTrip(convo, 'after-delay');
  });
});

describe('attack: reorder (security brief §4)', () => {
  it('F9: messages delivered in reverse are shown in sender order, without an alert', async () => {
    const world = await ProtocolWorld.create('reorder');
    const convo = await WorldConversation.start(world, 'visitor');
    for (const t of ['one', 'two', 'three']) await convo.visitorSends(t);
    const laptop = { kind: 'device' as const, deviceId: world.device('ada-laptop').keys.deviceId };
    world.relay.reorder(convo.conversationId, laptop, (q) => [...q].reverse());
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toEqual(['one', 'two', 'three']);
    for (const t of ['four', 'five', 'six']) await convo.agentSends('ada-laptop', t);
    world.relay.reorder(convo.conversationId, { kind: 'visitor' }, (q) =>
      [q[1], q[2], q[0]].filter((b) => b !== undefined),
    );
    await convo.deliverToVisitor();
    expect(texts(convo.visitor)).toEqual(['four', 'five', 'six']);
    expect(alertKinds(convo.visitor)).toEqual([]);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([]);
    await expectHonestRoundTrip(convo, 'after-reorder');
    expect(alertKinds(convo.visitor)).toEqual([]);
  });
});

describe('attack: drop (security brief §4)', () => {
  it('F9: a dropped message is shown as a gap once the next message arrives, and the later ones are shown', async () => {
    const world = await ProtocolWorld.create('drop');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('one');
    await convo.deliverAll();
    const laptop = world.device('ada-laptop').keys.deviceId;
    let dropped: Uint8Array | undefined;
    interceptNext(world.relay, toDevice(laptop), () => {
      dropped = world.relay.recorded.at(-1)?.bytes;
      return [];
    });
    await convo.visitorSends('two (dropped)');
    await convo.visitorSends('three');
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toEqual(['one']); // three waits for two inside the reorder window
    world.clock.advance(WINDOW + 1);
    await convo.visitorSends('four');
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toEqual(['one', 'three', 'four']);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.gap]);

    // If the relay delivers the dropped message later, it is shown apart and flagged late, once.
    if (dropped === undefined) throw new RangeError('nothing dropped');
    world.relay.inject(dropped);
    await convo.deliverToAgent('ada-laptop');
    const late = convo.agent('ada-laptop').shown.at(-1);
    expect(late?.late).toBe(true);
    expect(late?.seq).toBe(2);
    await expectHonestRoundTrip(convo, 'after-drop');
  });
});

describe('attack: delivery to only one of an agent’s devices (security brief §4)', () => {
  it('F9: a visitor message withheld from one device is flagged as device divergence on that device', async () => {
    const world = await ProtocolWorld.create('one-device');
    const convo = await WorldConversation.start(world, 'visitor');
    const phone = world.device('ada-phone').keys.deviceId;
    interceptNext(world.relay, toDevice(phone), () => []);
    await convo.visitorSends('please refund order 17'); // the phone's copy is dropped
    await convo.deliverToAgent('ada-laptop');
    await convo.agentSends('ada-laptop', 'on it'); // its acks say it saw the visitor's message 1
    await convo.deliverToAgent('ada-phone');
    expect(texts(convo.agent('ada-phone'))).toEqual(['on it']);
    world.clock.advance(WINDOW + 1);
    convo.tick(convo.agent('ada-phone'));
    expect(alertKinds(convo.agent('ada-phone'))).toContain(ALERT_KINDS.deviceDivergence);
    expect(texts(convo.agent('ada-phone'))).not.toContain('please refund order 17');
    await convo.deliverToVisitor();
    await expectHonestRoundTrip(convo, 'after-one-device');
  });
});

describe('attack: truncation at close (issue #9 item 4)', () => {
  it('#9.4: the visitor’s last two messages dropped while the agent closes: the visitor is told (truncation alert naming the relay and the closing device)', async () => {
    const world = await ProtocolWorld.create('truncation-at-close');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('can I get a refund?');
    await convo.deliverAll();
    await convo.agentSends('ada-laptop', 'refund approved');
    await convo.deliverToVisitor();
    interceptNext(
      world.relay,
      (e) => e.recipient.kind === 'device',
      () => [],
      2 * 3,
    );
    await convo.visitorSends('please send it to my new card');
    await convo.visitorSends('the old one was stolen');
    await convo.deliverAll(); // nothing reaches the devices
    await convo.agentSendsBody('ada-laptop', { kind: 'close', reason: 'resolved' });
    await convo.deliverToVisitor();
    expect(texts(convo.visitor)).toEqual(['refund approved', '<close>']);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.truncation]);
    expect(convo.visitor.alerts[0]?.detail).toContain('2–3');
    expect(convo.visitor.alerts[0]?.suspects).toEqual([
      { kind: 'relay' },
      { kind: 'participant', id: world.device('ada-laptop').keys.deviceId },
    ]);
    expect(convo.end(convo.visitor).alerts).toEqual([]); // the close itself did arrive

    // Honest traffic: a close that acknowledges everything the visitor sent raises nothing.
    world.relay.envelopeHook = undefined;
    const honest = await WorldConversation.start(world, 'visitor-2');
    await expectHonestRoundTrip(honest, 'before-close');
    await honest.agentSendsBody('ada-laptop', { kind: 'close', reason: 'resolved' });
    await honest.deliverToVisitor();
    expect(alertKinds(honest.visitor)).toEqual([]);
  });
});

describe('attack: a hostile visitor’s acknowledgements (issue #9 item 6)', () => {
  it('#9.6: invented acks from a hostile visitor raise invalid-ack naming only the visitor, never fork or device-divergence naming the relay or a sibling', async () => {
    const world = await ProtocolWorld.create('hostile-visitor-acks');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'setup');
    await convo.deliverAll();
    const state = convo.visitor.state;
    if (state === undefined) throw new RangeError('no visitor state');
    // The visitor runs its own client: it acknowledges a laptop message with another hash, phone and
    // owner messages that were never sent (the owner's at seq 1 with an invented hash, the phone's at 7).
    const genuine = state.tracks[0];
    if (genuine === undefined) throw new RangeError('the visitor has released nothing');
    const invented = (label: string, seq: number): typeof genuine => ({
      ...genuine,
      senderId: world.device(label).keys.deviceId,
      nextSeq: seq + 1,
      lastHash: new Uint8Array(32).fill(seq),
    });
    convo.visitor.state = {
      ...state,
      tracks: [invented('ada-laptop', 1), invented('ada-phone', 7), invented('owner', 1)],
    };
    await convo.visitorSends('did you get my messages?');
    await convo.deliverAll();
    world.clock.advance(WINDOW + 1);
    for (const label of ['owner', 'ada-laptop', 'ada-phone']) convo.tick(convo.agent(label));
    const visitorId = state.selfId;
    for (const label of ['owner', 'ada-laptop', 'ada-phone']) {
      const party = convo.agent(label);
      expect(texts(party), label).toContain('did you get my messages?');
      // Each device sees the invented ack of ITS OWN messages, and blames the visitor alone.
      expect(alertKinds(party), label).toEqual([ALERT_KINDS.invalidAck]);
      expect(party.alerts[0]?.suspects, label).toEqual([{ kind: 'participant', id: visitorId }]);
      expect(alertKinds(party), label).not.toContain(ALERT_KINDS.fork);
      expect(alertKinds(party), label).not.toContain(ALERT_KINDS.deviceDivergence);
    }
    await expectHonestRoundTrip(convo, 'after-hostile-acks');
  });

  it('#9.6: a sibling’s ack of a visitor message this device never got is device divergence naming the relay, the sibling and the visitor', async () => {
    const world = await ProtocolWorld.create('sibling-ack-divergence');
    const convo = await WorldConversation.start(world, 'visitor');
    const phone = world.device('ada-phone').keys.deviceId;
    interceptNext(world.relay, toDevice(phone), () => []);
    await convo.visitorSends('please refund order 17');
    await convo.deliverToAgent('ada-laptop');
    await convo.agentSends('ada-laptop', 'on it');
    await convo.deliverToAgent('ada-phone');
    world.clock.advance(WINDOW + 1);
    convo.tick(convo.agent('ada-phone'));
    const divergence = convo.agent('ada-phone').alerts.find((a) => a.kind === ALERT_KINDS.deviceDivergence);
    expect(divergence?.suspects).toEqual([
      { kind: 'relay' },
      { kind: 'participant', id: world.device('ada-laptop').keys.deviceId },
      { kind: 'participant', id: convo.visitor.state?.selfId },
    ]);
    await convo.deliverToVisitor();
    await expectHonestRoundTrip(convo, 'after-sibling-ack');
  });
});

describe('attack: truncated conversation (security brief §4)', () => {
  it('F9: a conversation cut off before the authenticated close is flagged missing-close', async () => {
    const world = await ProtocolWorld.create('truncation');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('can I get a refund?');
    await convo.deliverAll();
    await convo.agentSends('ada-laptop', 'refund approved');
    await convo.deliverToVisitor();
    interceptNext(world.relay, toVisitor, () => [], 2);
    await convo.agentSends('ada-laptop', '… once the item is back in our warehouse');
    await convo.agentSendsBody('ada-laptop', { kind: 'close', reason: 'resolved' });
    await convo.deliverToVisitor();
    const end = convo.end(convo.visitor); // the relay says "conversation over"
    expect(end.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.missingClose]);
    expect(texts(convo.visitor)).toEqual(['refund approved']);

    // Honest traffic: a conversation whose close arrives ends without an alert.
    world.relay.envelopeHook = undefined;
    const honest = await WorldConversation.start(world, 'visitor-2');
    await expectHonestRoundTrip(honest, 'closing');
    await honest.agentSendsBody('ada-laptop', { kind: 'close', reason: 'resolved' });
    await honest.deliverToVisitor();
    expect(honest.end(honest.visitor).alerts).toEqual([]);
  });
});
