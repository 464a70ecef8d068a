/**
 * Security brief §4 "device list rollback" and "split view (two visitors shown different lists
 * of one version)" (F10). The relay cannot sign lists, but it can replay an old genuine one, and
 * a misbehaving AIK holder can sign two versions with one number and let the relay show each to
 * different people. Clients refuse the older list (rollback alert) and, when the two lists meet —
 * on an agent device that receives the first message made for the other list, or in a view that
 * sees both — raise an equivocation alert and keep both signed lists as evidence.
 */
import { describe, expect, it } from 'vitest';
import { ALERT_KINDS, receiveDeviceList, EquivocationError, RollbackError } from '../../shared/protocol/index.js';
import { idEquals } from '../../shared/wire/index.js';
import { rogueDevice } from '../support/attacker.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { snapshot } from '../support/state-snapshot.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

describe('attack: device list rollback (security brief §4)', () => {
  it('F10: a rollback to the list that still names a revoked device is refused with a rollback alert', async () => {
    const world = await ProtocolWorld.create('rollback');
    const v1 = world.currentSigned;
    const phoneId = world.device('ada-phone').keys.deviceId;
    await world.revokeDevice('ada-phone');
    const { view } = await world.visitorView('returning-visitor');
    expect(view.current?.version).toBe(2);

    const before = snapshot(view);
    const update = await receiveDeviceList(view, v1, world.newEnv('returning-visitor'));
    expect(update.rejected).toBeInstanceOf(RollbackError);
    expect(update.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.rollback]);
    expect(update.state).toBe(view);
    expect(snapshot(view)).toBe(before);
    expect(update.list?.devices.some((d) => idEquals(d.deviceId, phoneId))).toBe(false);

    // An agent device's own view refuses the old list the same way.
    const owner = world.device('owner');
    const ownerUpdate = await receiveDeviceList(owner.view, v1, owner.env);
    expect(ownerUpdate.rejected).toBeInstanceOf(RollbackError);
    expect(ownerUpdate.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.rollback]);

    const convo = await WorldConversation.start(world, 'visitor-after-rollback');
    await expectHonestRoundTrip(convo, 'after-rollback');
  });

  it('F10: a first message made for an older device list (still naming a revoked device) is flagged by the agent with a rollback alert', async () => {
    // A first-time visitor has no cached version, so the relay can serve it the old, genuinely
    // signed v1 that still lists the revoked phone. The visitor's first-contact header names the
    // list it used; agent devices that hold v2 can see the rollback and must say so.
    const world = await ProtocolWorld.create('rollback-first-contact');
    const v1 = world.currentSigned;
    await world.revokeDevice('ada-phone');
    world.relay.deviceListHook = (honest, requester) => (requester === 'new-visitor' ? v1 : honest);
    const convo = await WorldConversation.start(world, 'new-visitor');
    expect(convo.visitor.state?.deviceList.version).toBe(1);
    await convo.visitorSends('hello');
    await convo.deliverToAgent('ada-laptop');
    expect(alertKinds(convo.agent('ada-laptop'))).toContain(ALERT_KINDS.rollback);
    world.relay.deviceListHook = undefined;
    await expectHonestRoundTrip(await WorldConversation.start(world, 'visitor-2'), 'after-old-list');
  });
});

describe('attack: split view, two visitors shown different lists of one version (security brief §4)', () => {
  async function splitWorld(seed: string) {
    const world = await ProtocolWorld.create(seed);
    const rogue = await rogueDevice(world.newEnv('attacker'));
    const v1 = world.currentSigned;
    // The AIK holder signs two different version-2 lists (this is what the relay cannot do alone):
    const v2Public = await world.signWithAik([...world.currentList.devices], v1);
    const v2Hidden = await world.signWithAik([...world.currentList.devices, rogue.entry], v1);
    world.lists.push(v2Public);
    world.relay.publishDeviceList(world.account.accountId, v2Public);
    for (const d of world.devices.values()) d.view = (await receiveDeviceList(d.view, v2Public, d.env)).state;
    // … and the relay shows the hidden one only to the targeted visitor.
    world.relay.deviceListHook = (honest, requester) => (requester === 'targeted-visitor' ? v2Hidden : honest);
    return { world, rogue, v2Public, v2Hidden };
  }

  it('F10: the first message made for the hidden list of the same version is refused by the agent device with an equivocation alert', async () => {
    const { world, rogue } = await splitWorld('split-view-agent');
    const targeted = await WorldConversation.start(world, 'targeted-visitor');
    expect(targeted.visitor.state?.deviceList.devices.some((d) => idEquals(d.deviceId, rogue.keys.deviceId))).toBe(
      true,
    );
    await targeted.visitorSends('is this the real shop?');
    const outcomes = await targeted.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(targeted.agent('ada-laptop').errors[0]).toBeInstanceOf(EquivocationError);
    expect(alertKinds(targeted.agent('ada-laptop'))).toEqual([ALERT_KINDS.equivocation]);
    expect(texts(targeted.agent('ada-laptop'))).toEqual([]);
    expect(targeted.agent('ada-laptop').state).toBeUndefined();

    // Honest traffic continues for a visitor shown the public list.
    const honest = await WorldConversation.start(world, 'other-visitor');
    await expectHonestRoundTrip(honest, 'after-split-view');
  });

  it('F10: when the two lists of one version meet in one view, equivocation is alerted and both signed lists are kept as evidence', async () => {
    const { world, v2Public, v2Hidden } = await splitWorld('split-view-evidence');
    const { view } = await world.visitorView('targeted-visitor');
    const update = await receiveDeviceList(view, v2Public, world.newEnv('targeted-visitor'));
    expect(update.rejected).toBeInstanceOf(EquivocationError);
    expect(update.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.equivocation]);
    expect(update.alerts[0]?.evidence).toEqual([v2Hidden.body, v2Hidden.signature, v2Public.body, v2Public.signature]);
    expect(update.state.evidence).toHaveLength(1);
    expect(update.state.evidence[0]?.first.body).toEqual(v2Hidden.body);
    expect(update.state.evidence[0]?.second.body).toEqual(v2Public.body);
    // The accepted list stays the first one seen: the second is not silently adopted.
    expect(update.state.current?.version).toBe(2);
    expect(update.state.history.at(-1)?.signed.body).toEqual(v2Hidden.body);

    const honest = await WorldConversation.start(world, 'other-visitor');
    await expectHonestRoundTrip(honest, 'after-evidence');
  });
});
