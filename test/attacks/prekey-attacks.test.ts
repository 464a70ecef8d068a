/**
 * Security brief §4 "swapped signed prekey", "stale signed prekey" and "one-time prekey handed
 * out twice" (F1, F8; X3DH §3.2, §4.6). The directory serves prekey bundles; it is untrusted.
 * The visitor verifies every bundle against the device's signing key from the pinned, signed
 * device list, refuses old ones, and agent devices notice a one-time prekey used twice.
 */
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../shared/errors/index.js';
import {
  ALERT_KINDS,
  OneTimePrekeyReuseError,
  ORDER_LIMITS,
  NoVerifiedBundleError,
  ProtocolStateError,
  ReplayError,
  maintainPrekeys,
  prekeyUpload,
  verifyPrekeyBundle,
} from '../../shared/protocol/index.js';
import { idEquals } from '../../shared/wire/index.js';
import { x25519KeyPairFromSeed } from '../../shared/crypto/index.js';
import { toDevice, withoutOneTimePrekey } from '../support/attacker.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { LOW_ORDER_POINT } from '../support/small-order-points.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

const DAY = 86_400_000;

function sessionPeers(convo: WorldConversation): string[] {
  const world = convo.world;
  return (convo.visitor.state?.sessions ?? []).map(
    (s) => [...world.devices.values()].find((d) => idEquals(d.keys.deviceId, s.peerId))?.label ?? 'unknown',
  );
}

describe('attack: swapped signed prekey (security brief §4)', () => {
  it('F1: a signed prekey replaced by the relay’s own key is refused (bad-signature alert), no session with that device', async () => {
    const world = await ProtocolWorld.create('swapped-spk');
    const laptop = world.device('ada-laptop');
    const relayKey = await x25519KeyPairFromSeed(world.newEnv('attacker').rng(32));
    world.relay.bundleHook = (honest) =>
      idEquals(honest.deviceId, laptop.keys.deviceId) ? { ...honest, signedPrekey: relayKey.publicKey } : honest;
    const convo = await WorldConversation.start(world, 'visitor');
    expect(convo.startAlerts.map((a) => a.kind)).toEqual([ALERT_KINDS.badSignature]);
    expect(convo.startAlerts[0]?.deviceId).toEqual(laptop.keys.deviceId);
    expect(sessionPeers(convo)).toEqual(['owner', 'ada-phone']);
    // Nothing is ever encrypted to the swapped key: the laptop's mailbox stays empty.
    await convo.visitorSends('hello');
    expect(world.relay.pending(convo.conversationId, { kind: 'device', deviceId: laptop.keys.deviceId })).toBe(0);
    await expectHonestRoundTrip(convo, 'swapped-spk-phone', 'ada-phone');
    world.relay.bundleHook = undefined;
    await expectHonestRoundTrip(await WorldConversation.start(world, 'visitor-2'), 'swapped-spk-laptop');
  });

  it('F1: a genuine signed prekey of one device served as another device’s is refused (bad-signature alert)', async () => {
    const world = await ProtocolWorld.create('moved-spk');
    const laptop = world.device('ada-laptop');
    const phoneBundle = world.relay.fetchPrekeyBundle(world.device('ada-phone').keys.deviceId, 'attacker');
    if (phoneBundle === undefined) throw new RangeError('no bundle');
    const moved = { ...phoneBundle, deviceId: laptop.keys.deviceId };
    await expect(verifyPrekeyBundle(moved, laptop.entry, world.clock.now())).rejects.toBeInstanceOf(SignatureError);
    world.relay.bundleHook = (honest) => (idEquals(honest.deviceId, laptop.keys.deviceId) ? moved : honest);
    const convo = await WorldConversation.start(world, 'visitor');
    expect(convo.startAlerts.map((a) => a.kind)).toEqual([ALERT_KINDS.badSignature]);
    expect(sessionPeers(convo)).not.toContain('ada-laptop');
    await expectHonestRoundTrip(convo, 'moved-spk', 'ada-phone');
  });

  it('F1: when every bundle is swapped the conversation does not start at all (typed error, nothing sent)', async () => {
    const world = await ProtocolWorld.create('swapped-all');
    const relayKey = await x25519KeyPairFromSeed(world.newEnv('attacker').rng(32));
    world.relay.bundleHook = (honest) => ({ ...honest, signedPrekey: relayKey.publicKey });
    const refused = await WorldConversation.start(world, 'visitor').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ProtocolStateError);
    // §5.1: every device's refusal travels with the error (the runtime's keys-refused alert).
    expect(refused).toBeInstanceOf(NoVerifiedBundleError);
    const kinds = (refused as NoVerifiedBundleError).alerts.map((a) => a.kind);
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.every((k) => k === ALERT_KINDS.badSignature)).toBe(true);
    expect(world.relay.recorded).toHaveLength(0);
    world.relay.bundleHook = undefined;
    await expectHonestRoundTrip(await WorldConversation.start(world, 'visitor'), 'after-swapped-all');
  });
});

describe('attack: stale signed prekey (security brief §4)', () => {
  it('F8: a genuine but 15-day-old signed prekey replayed by the directory is refused with a stale-signed-prekey alert', async () => {
    const world = await ProtocolWorld.create('stale-spk');
    const laptop = world.device('ada-laptop');
    const old = world.relay.fetchPrekeyBundle(laptop.keys.deviceId, 'attacker-recording');
    if (old === undefined) throw new RangeError('no bundle');
    world.clock.advance(15 * DAY);
    for (const d of world.devices.values()) {
      d.prekeys = (await maintainPrekeys(d.prekeys, d.keys, d.env)).state; // honest devices rotate (X3DH §4.6)
      world.relay.uploadPrekeys(prekeyUpload(d.prekeys));
    }
    world.relay.bundleHook = (honest) => (idEquals(honest.deviceId, laptop.keys.deviceId) ? old : honest);
    const convo = await WorldConversation.start(world, 'visitor');
    expect(convo.startAlerts.map((a) => a.kind)).toEqual([ALERT_KINDS.staleSignedPrekey]);
    expect(sessionPeers(convo)).not.toContain('ada-laptop');
    await expectHonestRoundTrip(convo, 'stale-spk', 'ada-phone');
    world.relay.bundleHook = undefined;
    await expectHonestRoundTrip(await WorldConversation.start(world, 'visitor-2'), 'stale-spk-fresh');
  });
});

describe('attack: one-time prekey handed out twice (security brief §4)', () => {
  it('F8: the second first message on a reused one-time prekey is refused with a prekey-reuse alert', async () => {
    const world = await ProtocolWorld.create('otp-twice');
    world.relay.reuseOneTimePrekeys = true;
    const first = await WorldConversation.start(world, 'visitor-a');
    const second = await WorldConversation.start(world, 'visitor-b');
    const headerOf = (c: WorldConversation) => c.visitor.state?.sessions[1]?.firstContact?.oneTimePrekeyId;
    expect(headerOf(first)).toBeDefined();
    expect(headerOf(second)).toBe(headerOf(first)); // the directory really handed the same key out twice

    await first.visitorSends('first visitor');
    await first.deliverToAgent('ada-laptop');
    expect(texts(first.agent('ada-laptop'))).toEqual(['first visitor']);

    await second.visitorSends('second visitor');
    const outcomes = await second.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(second.agent('ada-laptop').errors[0]).toBeInstanceOf(OneTimePrekeyReuseError);
    expect(alertKinds(second.agent('ada-laptop'))).toEqual([ALERT_KINDS.prekeyReuse]);
    expect(texts(second.agent('ada-laptop'))).toEqual([]);

    // Honest traffic continues: the first conversation, and a new one once the directory behaves.
    await expectHonestRoundTrip(first, 'otp-first');
    world.relay.reuseOneTimePrekeys = false;
    await expectHonestRoundTrip(await WorldConversation.start(world, 'visitor-c'), 'otp-fresh');
  });
});

describe('attack: one bad one-time prekey (issue #9 item 2)', () => {
  /** The directory serves `label`'s bundle with its (unsigned) one-time prekey replaced by a low-order point. */
  function badOneTimePrekeyFor(world: ProtocolWorld, label: string, requester?: string): void {
    const target = world.device(label).keys.deviceId;
    world.relay.bundleHook = (honest, who) =>
      idEquals(honest.deviceId, target) && (requester === undefined || who === requester)
        ? { ...honest, oneTimePrekey: { id: honest.oneTimePrekey?.id ?? 1, publicKey: LOW_ORDER_POINT } }
        : honest;
  }

  it('#9.2: a low-order one-time prekey costs only that device (bad-prekey alert); the conversation starts with the others', async () => {
    const world = await ProtocolWorld.create('bad-otp-start');
    const laptop = world.device('ada-laptop');
    badOneTimePrekeyFor(world, 'ada-laptop');
    const convo = await WorldConversation.start(world, 'visitor');
    expect(convo.startAlerts.map((a) => a.kind)).toEqual([ALERT_KINDS.badPrekey]);
    expect(convo.startAlerts[0]?.deviceId).toEqual(laptop.keys.deviceId);
    expect(sessionPeers(convo)).toEqual(['owner', 'ada-phone']);
    await expectHonestRoundTrip(convo, 'bad-otp-phone', 'ada-phone');
    world.relay.bundleHook = undefined;
    await expectHonestRoundTrip(await WorldConversation.start(world, 'visitor-2'), 'bad-otp-laptop');
  });

  it('#9.2: a new list whose added device has a low-order one-time prekey still drops the revoked device: no key reaches it', async () => {
    const world = await ProtocolWorld.create('bad-otp-apply-list');
    const phone = world.device('ada-phone');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'before-revocation');
    await world.revokeDevice('ada-phone');
    const tablet = await world.addDevice({
      label: 'ada-tablet',
      agent: 'ada',
      agentName: 'Ada',
      role: 'agent',
      kind: 'pwa',
    });
    badOneTimePrekeyFor(world, 'ada-tablet');
    const alerts = await convo.visitorRefreshesList();
    expect(alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.badPrekey]);
    expect(alerts[0]?.deviceId).toEqual(tablet.keys.deviceId);
    expect(convo.visitor.state?.deviceList.version).toBe(3);
    const step = await convo.visitorSends('my new address is 2 High St');
    expect(step.outgoing.some((o) => idEquals(o.recipientId, phone.keys.deviceId))).toBe(false);
    expect(step.outgoing.map((o) => o.recipientId)).toEqual([
      world.device('owner').keys.deviceId,
      world.device('ada-laptop').keys.deviceId,
    ]);
    world.relay.bundleHook = undefined;
    await expectHonestRoundTrip(convo, 'after-bad-otp');
  });

  it('#9.2: an agent device whose sibling is offered with a low-order one-time prekey still answers the visitor and the other siblings', async () => {
    const world = await ProtocolWorld.create('bad-otp-sibling');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('hello');
    await convo.deliverAll();
    badOneTimePrekeyFor(world, 'ada-phone', 'ada-laptop');
    const step = await convo.agentSends('ada-laptop', 'hi, how can I help?');
    expect(step.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.badPrekey]);
    expect(step.alerts[0]?.deviceId).toEqual(world.device('ada-phone').keys.deviceId);
    expect(step.outgoing.map((o) => o.recipientId)).toEqual([
      convo.visitor.state?.selfId,
      world.device('owner').keys.deviceId,
    ]);
    await convo.deliverAll();
    expect(texts(convo.visitor)).toEqual(['hi, how can I help?']);
    expect(texts(convo.agent('owner'))).toEqual(['hello', 'hi, how can I help?']);
    world.relay.bundleHook = undefined;
    await expectHonestRoundTrip(convo, 'after-bad-sibling-otp');
    // The phone got the laptop's second message only: the first is a gap once the reorder window is
    // over, naming the relay or the laptop (which skipped the phone).
    await convo.deliverToAgent('ada-phone');
    world.clock.advance(ORDER_LIMITS.reorderWindowMs + 1);
    convo.tick(convo.agent('ada-phone'));
    expect(texts(convo.agent('ada-phone'))).toContain('honest answer after-bad-sibling-otp');
    expect(alertKinds(convo.agent('ada-phone'))).toEqual([ALERT_KINDS.gap]);
    expect(convo.agent('ada-phone').alerts[0]?.suspects).toEqual([
      { kind: 'relay' },
      { kind: 'participant', id: world.device('ada-laptop').keys.deviceId },
    ]);
  });
});

describe('attack: replay after the one-time prekey is stripped (issue #9 item 5)', () => {
  it('#9.5: a first contact without a one-time prekey, replayed to a device that lost the conversation, is refused (replay alert), never shown again', async () => {
    const world = await ProtocolWorld.create('replay-without-otp');
    const laptop = world.device('ada-laptop');
    world.relay.bundleHook = (honest) =>
      idEquals(honest.deviceId, laptop.keys.deviceId) ? withoutOneTimePrekey(honest) : honest;
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('please refund order 17');
    const first = world.relay.recorded.find((r) => toDevice(laptop.keys.deviceId)(r.envelope));
    if (first === undefined) throw new RangeError('nothing recorded');
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toEqual(['please refund order 17']);
    // The UI can tell: this session started without a one-time prekey.
    const session = convo.agent('ada-laptop').state?.sessions.find((s) => !s.initiator);
    expect(session?.withoutOneTimePrekey).toBe(true);

    // The laptop loses the conversation (retention, reinstall of the app data) but keeps its prekeys.
    convo.agent('ada-laptop').state = undefined;
    world.relay.inject(first.bytes);
    const outcomes = await convo.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(ReplayError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.replay]);
    expect(texts(convo.agent('ada-laptop'))).toEqual(['please refund order 17']); // not shown a second time
    expect(convo.agent('ada-laptop').state).toBeUndefined();
    world.relay.bundleHook = undefined;
    await expectHonestRoundTrip(convo, 'after-first-contact-replay', 'ada-phone');
    await expectHonestRoundTrip(await WorldConversation.start(world, 'visitor-2'), 'fresh-after-replay');
  });
});
