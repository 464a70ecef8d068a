/**
 * When is divergence detected (docs/PROTOCOL.md §7.10; issue #17 items 4 and 7)? A reader that never
 * sends exposes nothing through acks, so every frame names the sender's device list (version and
 * chain hash): a silent device added by a list only the visitor sees shows up on the next frame
 * each way. A sender that tells two devices different things under one number is caught by the
 * hash chain and by the acks of the devices that compare — naming the participants who could have
 * lied, never the relay.
 */
import { describe, expect, it } from 'vitest';
import {
  ALERT_KINDS,
  createPrekeyState,
  encodeSignedDeviceList,
  ORDER_LIMITS,
  prekeyUpload,
  receiveDeviceList,
  sendMessage,
} from '../../shared/protocol/index.js';
import { asCiphertext, encodeEnvelope, idEquals } from '../../shared/wire/index.js';
import { type RogueDevice, rogueDevice } from '../support/attacker.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

const AGENTS = ['owner', 'ada-laptop', 'ada-phone'] as const;

/** A device of the relay's, with prekeys in the directory: it will read and never send. */
async function silentReader(world: ProtocolWorld): Promise<RogueDevice> {
  const rogue = await rogueDevice(world.newEnv('attacker'), 'Ada');
  world.relay.uploadPrekeys(prekeyUpload(await createPrekeyState(rogue.keys, world.newEnv('rogue-prekeys'), 1)));
  return rogue;
}

/** A conversation under way: the visitor and the laptop have talked, every device has the history. */
async function underWay(seed: string): Promise<{ world: ProtocolWorld; convo: WorldConversation }> {
  const world = await ProtocolWorld.create(seed);
  const convo = await WorldConversation.start(world, 'visitor');
  await expectHonestRoundTrip(convo, 'setup');
  await convo.deliverAll();
  return { world, convo };
}

describe('attack: a silent reader added by a list only the visitor sees (issue #17 items 4, 7)', () => {
  it('#17.4: a list of the same version with a hidden reader is flagged on the next frame each way (equivocation alert), the message still shown', async () => {
    const { world, convo } = await underWay('hidden-reader-same-version');
    const rogue = await silentReader(world);
    // A misbehaving AIK holder signs two version-2 lists; the relay shows the one with its reader
    // only to the visitor, the other to the business's devices.
    const v1 = world.currentSigned;
    const v2Public = await world.signWithAik([...world.currentList.devices], v1);
    const v2Hidden = await world.signWithAik([...world.currentList.devices, rogue.entry], v1);
    world.lists.push(v2Public);
    world.relay.publishDeviceList(world.account.accountId, v2Public);
    for (const d of world.devices.values()) d.view = (await receiveDeviceList(d.view, v2Public, d.env)).state;
    world.relay.deviceListHook = (honest, requester) => (requester === 'visitor' ? v2Hidden : honest);
    expect(await convo.visitorRefreshesList()).toEqual([]);

    const step = await convo.visitorSends('my card number is 4242 4242 4242 4242');
    expect(step.outgoing.some((o) => idEquals(o.recipientId, rogue.keys.deviceId))).toBe(true); // it reads
    await convo.deliverAll();
    const visitorId = convo.visitor.state?.selfId;
    for (const label of AGENTS) {
      const party = convo.agent(label);
      expect(texts(party), label).toContain('my card number is 4242 4242 4242 4242');
      expect(alertKinds(party), label).toEqual([ALERT_KINDS.equivocation]);
      expect(party.alerts[0]?.suspects, label).toEqual([
        { kind: 'relay' },
        { kind: 'account-key' },
        { kind: 'participant', id: visitorId },
      ]);
    }
    await convo.agentSends('ada-laptop', 'we see another device list than yours');
    await convo.deliverToVisitor();
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.equivocation]);
    await expectHonestRoundTrip(convo, 'after-hidden-reader');
  });

  it('#17.4: a newer list with a hidden reader that the relay keeps from the devices reaches them in-band: listBehind, peerListBehind, then the reader is in their view', async () => {
    const { world, convo } = await underWay('hidden-reader-newer-version');
    const rogue = await silentReader(world);
    const v2Hidden = await world.signWithAik([...world.currentList.devices, rogue.entry]);
    world.relay.deviceListHook = (honest, requester) => (requester === 'visitor' ? v2Hidden : honest);
    await convo.visitorRefreshesList();
    expect(convo.visitor.state?.deviceList.version).toBe(2);

    await convo.visitorSends('hello again');
    const visitorId = convo.visitor.state?.selfId;
    const laptopOutcomes = await convo.deliverToAgent('ada-laptop');
    // The laptop learns the visitor holds version 2: its runtime fetches, the relay serves nothing newer.
    expect(laptopOutcomes.flatMap((o) => (o.ok ? o.listBehind : []))).toEqual([{ peer: visitorId, version: 2 }]);
    expect(world.relay.fetchDeviceList(world.account.accountId, 'ada-laptop')).toBe(world.currentSigned);

    await convo.agentSends('ada-laptop', 'hello, how can I help?');
    const visitorOutcomes = await convo.deliverToVisitor();
    const laptopId = world.device('ada-laptop').keys.deviceId;
    expect(visitorOutcomes.flatMap((o) => (o.ok ? o.peerListBehind : []))).toEqual([{ peer: laptopId, version: 1 }]);
    // The visitor's runtime sends its newest signed list in-band (a sequenced message like any other).
    await convo.visitorSendsBody({ kind: 'deviceList', lists: [encodeSignedDeviceList(v2Hidden)] });
    await convo.deliverAll();
    for (const label of AGENTS) {
      const view = world.device(label).view;
      expect(view.current?.version, label).toBe(2);
      expect(
        view.current?.devices.some((d) => idEquals(d.deviceId, rogue.keys.deviceId)),
        label,
      ).toBe(true); // the reader the AIK holder added is now in the business's own list, for the owner to see
    }
    world.relay.deviceListHook = undefined;
    await expectHonestRoundTrip(convo, 'after-in-band-list');
  });
});

describe('attack: an equivocating sender (issue #17 item 7)', () => {
  it('#17.7: a visitor that tells two devices different things under one number is caught by the hash chain (fork) and by a sibling’s ack (device divergence), naming the visitor and the sibling, never the relay', async () => {
    const { world, convo } = await underWay('equivocating-visitor');
    const state = convo.visitor.state;
    if (state === undefined) throw new RangeError('no visitor state');
    // The hostile visitor makes two versions of its next message from one state.
    const toLaptop = await sendMessage(state, { kind: 'text', text: 'refund 10' }, convo.visitor.env);
    const toOthers = await sendMessage(state, { kind: 'text', text: 'refund 1000' }, convo.visitor.env);
    const laptopId = world.device('ada-laptop').keys.deviceId;
    const post = (outgoing: typeof toLaptop.outgoing, laptop: boolean): void => {
      for (const o of outgoing.filter((p) => idEquals(p.recipientId, laptopId) === laptop))
        world.relay.post(
          encodeEnvelope({ conversationId: convo.conversationId, recipient: o.recipient, body: asCiphertext(o.body) }),
        );
    };
    post(toLaptop.outgoing, true);
    post(toOthers.outgoing, false);
    convo.visitor.state = toLaptop.state; // it goes on from the laptop's version
    await convo.deliverAll();
    expect(texts(convo.agent('ada-laptop'))).toContain('refund 10');
    expect(texts(convo.agent('ada-phone'))).toContain('refund 1000');

    // The laptop answers: its acks name the visitor's message with the hash of what IT got.
    await convo.agentSends('ada-laptop', 'done');
    await convo.deliverToAgent('ada-phone');
    const visitorId = state.selfId;
    const divergence = convo.agent('ada-phone').alerts.find((a) => a.kind === ALERT_KINDS.deviceDivergence);
    expect(divergence?.suspects).toEqual([
      { kind: 'participant', id: laptopId },
      { kind: 'participant', id: visitorId },
    ]);
    // The visitor's next message links to the laptop's version: the phone sees the chain break.
    await convo.visitorSends('thanks');
    await convo.deliverToAgent('ada-phone');
    const fork = convo.agent('ada-phone').alerts.find((a) => a.kind === ALERT_KINDS.fork);
    expect(fork?.suspects).toEqual([{ kind: 'participant', id: visitorId }]);
    for (const alert of convo.agent('ada-phone').alerts) expect(alert.suspects).not.toContainEqual({ kind: 'relay' });
    await convo.deliverAll();
    world.clock.advance(ORDER_LIMITS.reorderWindowMs + 1);
    await expectHonestRoundTrip(convo, 'after-equivocating-visitor');
  });
});
