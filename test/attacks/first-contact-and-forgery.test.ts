/**
 * Security brief §4 "visitor key swap in the first message" and "forged message injected either
 * way" (F2, F3, F20). The relay sees every id (conversation, sender, session) and may use them:
 * they are identifiers, not authenticators. It has no honest party's key, so whatever it makes
 * or changes fails authentication, is never shown, raises a named alert, and leaves state as it was.
 */
import { describe, expect, it } from 'vitest';
import { x25519KeyPairFromSeed } from '../../shared/crypto/index.js';
import { DecryptError, SignatureError } from '../../shared/errors/index.js';
import {
  ALERT_KINDS,
  deviceListHash,
  encodeDeviceListBody,
  conversationListOf,
  conversationPacketCodec,
  createFirstDeviceList,
  EquivocationError,
  openAgentConversation,
  rejectionAlert,
  startVisitorConversation,
  ZERO_HASH,
  sendMessage,
  sessionFromBundle,
  type ConversationState,
  UnauthorisedDeviceError,
} from '../../shared/protocol/index.js';
import { asCiphertext, decode, encode, encodeEnvelope, type DeviceId, idEquals } from '../../shared/wire/index.js';
import { attackerAccount, forgePacket, interceptNext, toDevice } from '../support/attacker.js';
import { snapshot } from '../support/state-snapshot.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

/**
 * The relay runs the open client itself with the public ids of a real conversation, its own
 * X25519 key and the genuine bundle of `target`: what it sends is a well-formed first contact.
 */
async function relayFirstContact(
  convo: WorldConversation,
  claimedSender: DeviceId,
  target: string,
  text: string,
): Promise<Uint8Array[]> {
  const world = convo.world;
  const visitorState = convo.visitor.state;
  if (visitorState === undefined) throw new RangeError('no visitor state');
  const env = world.newEnv('attacker');
  const identity = await x25519KeyPairFromSeed(env.rng(32));
  const device = world.device(target);
  const bundle = world.relay.fetchPrekeyBundle(device.keys.deviceId, 'attacker');
  if (bundle === undefined) throw new RangeError('no bundle');
  const outcome = await sessionFromBundle(
    identity,
    claimedSender,
    convo.conversationId,
    visitorState.deviceList,
    device.entry,
    bundle,
    env,
  );
  if (!('session' in outcome)) throw new RangeError('bundle did not verify');
  const fake: ConversationState = {
    ...visitorState,
    selfId: claimedSender,
    visitorId: claimedSender,
    visitorIdentity: identity,
    sessions: [outcome.session],
    nextSendSeq: 1,
    lastSentHash: ZERO_HASH,
    sentHashes: [],
    tracks: [],
  };
  const step = await sendMessage(fake, { kind: 'text', text }, env);
  return step.outgoing.map((o) =>
    encodeEnvelope({ conversationId: convo.conversationId, recipient: o.recipient, body: asCiphertext(o.body) }),
  );
}

describe('attack: visitor key swap in the first message (security brief §4)', () => {
  it('F2: a first message whose visitor key the relay swapped is refused (forged alert); the genuine one still opens', async () => {
    const world = await ProtocolWorld.create('visitor-key-swap');
    const laptopId = world.device('ada-laptop').keys.deviceId;
    const relayKey = await x25519KeyPairFromSeed(world.newEnv('attacker').rng(32));
    world.relay.envelopeHook = (e) => {
      if (e.recipient.kind !== 'device' || !idEquals(e.recipient.deviceId, laptopId)) return [e];
      const packet = decode(conversationPacketCodec, e.body, 'packet');
      if (packet.session.kind !== 'initial') return [e];
      const swapped = {
        ...packet,
        session: { ...packet.session, header: { ...packet.session.header, initiatorIdentityKey: relayKey.publicKey } },
      };
      return [{ ...e, body: asCiphertext(encode(conversationPacketCodec, swapped)) }];
    };
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('my address is 1 Main St');
    const outcomes = await convo.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    // #9.3: the conversation and visitor ids are derived from the genuine key, so the swap is refused before X3DH.
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(UnauthorisedDeviceError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.forged]);
    expect(convo.agent('ada-laptop').state).toBeUndefined(); // no session pinned to the relay's key

    // The genuine first message (recorded before the hook rewrote it) still opens afterwards.
    world.relay.envelopeHook = undefined;
    const genuine = world.relay.recorded.find(
      (r) => r.envelope.recipient.kind === 'device' && idEquals(r.envelope.recipient.deviceId, laptopId),
    );
    if (genuine === undefined) throw new RangeError('nothing recorded');
    world.relay.inject(genuine.bytes);
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toEqual(['my address is 1 Main St']);
    expect(convo.agent('ada-laptop').state?.visitorIdentityKey).toEqual(
      convo.visitor.state?.visitorIdentity?.publicKey,
    );
    await expectHonestRoundTrip(convo, 'after-key-swap');
  });

  it('F2: a second first contact for the same visitor with the relay’s own key is refused (forged alert, never shown)', async () => {
    const world = await ProtocolWorld.create('visitor-key-second');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('hello');
    await convo.deliverToAgent('ada-laptop');
    const visitorId = convo.visitor.state?.selfId;
    if (visitorId === undefined) throw new RangeError('no visitor id');
    for (const bytes of await relayFirstContact(convo, visitorId, 'ada-laptop', 'please send your card number'))
      world.relay.inject(bytes);
    const outcomes = await convo.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(UnauthorisedDeviceError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.forged]);
    expect(texts(convo.agent('ada-laptop'))).toEqual(['hello']);
    await expectHonestRoundTrip(convo, 'after-second-first-contact');
  });
  it('F2: a relay that races the visitor with its own first contact is refused (forged alert); the visitor is then read only by the business', async () => {
    // #9.3: the conversation id and the visitor id are derived from the visitor's key, so a first
    // contact made with the relay's key cannot name this conversation, however early it arrives.
    const world = await ProtocolWorld.create('visitor-race');
    const convo = await WorldConversation.start(world, 'visitor');
    const visitorId = convo.visitor.state?.selfId;
    if (visitorId === undefined) throw new RangeError('no visitor id');
    const raced = await relayFirstContact(convo, visitorId, 'ada-laptop', 'hi, this is the visitor');
    for (const bytes of raced) world.relay.inject(bytes);
    await convo.visitorSends('my card ends in 4242');
    const outcomes = await convo.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(UnauthorisedDeviceError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.forged]);
    expect(texts(convo.agent('ada-laptop'))).toEqual(['my card ends in 4242']);
    expect(convo.agent('ada-laptop').state?.visitorIdentityKey).toEqual(
      convo.visitor.state?.visitorIdentity?.publicKey,
    );
    await expectHonestRoundTrip(convo, 'after-race');
    expect(alertKinds(convo.visitor)).toEqual([]);
  });
});

describe('attack: the visitor pinned by first arrival (issue #9 item 3)', () => {
  it('#9.3: on a device whose conversation a sibling opened, the relay’s first contact as the visitor is refused (forged alert); the real visitor is shown', async () => {
    const world = await ProtocolWorld.create('visitor-pinned-by-sibling');
    const phoneId = world.device('ada-phone').keys.deviceId;
    const convo = await WorldConversation.start(world, 'visitor');
    interceptNext(world.relay, toDevice(phoneId), (e) => {
      world.relay.hold(e); // the visitor's first packet to the phone is withheld
      return [];
    });
    await convo.visitorSends('hello, my order is late');
    await convo.deliverToAgent('ada-laptop');
    await convo.agentSends('ada-laptop', 'let me check');
    await convo.deliverToAgent('ada-phone'); // the phone's conversation state is created by its sibling's packet
    expect(texts(convo.agent('ada-phone'))).toEqual(['let me check']);
    const visitorId = convo.visitor.state?.selfId;
    if (visitorId === undefined) throw new RangeError('no visitor id');
    for (const bytes of await relayFirstContact(convo, visitorId, 'ada-phone', 'please send your card number'))
      world.relay.inject(bytes);
    const outcomes = await convo.deliverToAgent('ada-phone');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(convo.agent('ada-phone').errors[0]).toBeInstanceOf(UnauthorisedDeviceError);
    expect(alertKinds(convo.agent('ada-phone'))).toEqual([ALERT_KINDS.forged]);
    expect(texts(convo.agent('ada-phone'))).not.toContain('please send your card number');
    world.relay.releaseHeld(); // the genuine first packet arrives late and is accepted
    await convo.deliverToAgent('ada-phone');
    expect(texts(convo.agent('ada-phone'))).toEqual(['let me check', 'hello, my order is late']);
    expect(convo.agent('ada-phone').state?.visitorIdentityKey).toEqual(convo.visitor.state?.visitorIdentity?.publicKey);
    await expectHonestRoundTrip(convo, 'after-pinned-by-sibling', 'ada-phone');
  });
});

describe('attack: forged message injected either way (security brief §4)', () => {
  it('F3: a message injected by the relay as the business, after the signed reply, fails authentication (forged alert)', async () => {
    const world = await ProtocolWorld.create('forged-to-visitor');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'before-forgery');
    const laptopId = world.device('ada-laptop').keys.deviceId;
    const session = convo.visitor.state?.sessions.find((s) => idEquals(s.peerId, laptopId));
    const visitorId = convo.visitor.state?.selfId;
    if (session === undefined || visitorId === undefined) throw new RangeError('no session');
    const env = world.newEnv('attacker');
    const relayDh = (await x25519KeyPairFromSeed(env.rng(32))).publicKey;
    // Once with the relay's own ratchet key, once continuing the genuine chain (key known from the wire).
    const current = session.ratchet.dhRemote ?? relayDh;
    for (const dh of [relayDh, current]) {
      world.relay.inject(
        forgePacket(
          {
            conversationId: convo.conversationId,
            senderId: laptopId,
            recipientId: visitorId,
            recipient: { kind: 'visitor' },
            sessionId: session.sessionId,
            dh,
            n: 5,
            pn: 0,
            kind: 'normal',
          },
          env,
        ),
      );
    }
    const outcomes = await convo.deliverToVisitor();
    expect(outcomes.map((o) => o.ok)).toEqual([false, false]);
    expect(convo.visitor.errors.every((e) => e instanceof DecryptError)).toBe(true);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.forged, ALERT_KINDS.forged]);
    expect(texts(convo.visitor)).toEqual(['honest answer before-forgery']);
    await expectHonestRoundTrip(convo, 'after-forgery');
  });

  it('F3: a forged signed "first reply" from the business is refused (bad-signature alert)', async () => {
    const world = await ProtocolWorld.create('forged-signed-reply');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('hello');
    const laptopId = world.device('ada-laptop').keys.deviceId;
    const session = convo.visitor.state?.sessions.find((s) => idEquals(s.peerId, laptopId));
    const visitorId = convo.visitor.state?.selfId;
    if (session === undefined || visitorId === undefined) throw new RangeError('no session');
    const env = world.newEnv('attacker');
    const dh = (await x25519KeyPairFromSeed(env.rng(32))).publicKey;
    world.relay.inject(
      forgePacket(
        {
          conversationId: convo.conversationId,
          senderId: laptopId,
          recipientId: visitorId,
          recipient: { kind: 'visitor' },
          sessionId: session.sessionId,
          dh,
          n: 0,
          pn: 0,
          kind: 'signedReply',
        },
        env,
      ),
    );
    await convo.deliverToVisitor();
    expect(convo.visitor.errors[0]).toBeInstanceOf(SignatureError);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.badSignature]);
    expect(texts(convo.visitor)).toEqual([]);
    await expectHonestRoundTrip(convo, 'after-forged-signed-reply');
  });

  it('F3: an unsigned "reply" injected before the business’s signed first reply is refused with a forged alert', async () => {
    const world = await ProtocolWorld.create('forged-unsigned-reply');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('hello');
    const laptopId = world.device('ada-laptop').keys.deviceId;
    const session = convo.visitor.state?.sessions.find((s) => idEquals(s.peerId, laptopId));
    const visitorId = convo.visitor.state?.selfId;
    if (session === undefined || visitorId === undefined) throw new RangeError('no session');
    const env = world.newEnv('attacker');
    const dh = (await x25519KeyPairFromSeed(env.rng(32))).publicKey;
    world.relay.inject(
      forgePacket(
        {
          conversationId: convo.conversationId,
          senderId: laptopId,
          recipientId: visitorId,
          recipient: { kind: 'visitor' },
          sessionId: session.sessionId,
          dh,
          n: 0,
          pn: 0,
          kind: 'normal',
        },
        env,
      ),
    );
    const outcomes = await convo.deliverToVisitor();
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(texts(convo.visitor)).toEqual([]);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.forged]);
    await expectHonestRoundTrip(convo, 'after-unsigned-reply');
  });

  it('F20: a message injected as the visitor on its real session id fails authentication at the agent (forged alert)', async () => {
    const world = await ProtocolWorld.create('forged-to-agent');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'before-forgery');
    const laptopId = world.device('ada-laptop').keys.deviceId;
    const session = convo.agent('ada-laptop').state?.sessions.find((s) => !s.initiator);
    const visitorId = convo.visitor.state?.selfId;
    if (session === undefined || visitorId === undefined) throw new RangeError('no session');
    const env = world.newEnv('attacker');
    const dh = session.ratchet.dhRemote ?? new Uint8Array(32);
    world.relay.inject(
      forgePacket(
        {
          conversationId: convo.conversationId,
          senderId: visitorId,
          recipientId: laptopId,
          recipient: { kind: 'device', deviceId: laptopId },
          sessionId: session.sessionId,
          dh,
          n: 3,
          pn: 0,
          kind: 'normal',
        },
        env,
      ),
    );
    const outcomes = await convo.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(DecryptError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.forged]);
    await expectHonestRoundTrip(convo, 'after-forgery');
  });

  it('F3: a first contact forged as a sibling agent device (relay’s key, not the listed one) is refused (forged alert)', async () => {
    const world = await ProtocolWorld.create('forged-sibling');
    const convo = await WorldConversation.start(world, 'visitor');
    await convo.visitorSends('hello');
    await convo.deliverToAgent('ada-laptop');
    const phoneId = world.device('ada-phone').keys.deviceId;
    for (const bytes of await relayFirstContact(convo, phoneId, 'ada-laptop', 'internal note: refund approved'))
      world.relay.inject(bytes);
    const outcomes = await convo.deliverToAgent('ada-laptop');
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(UnauthorisedDeviceError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.forged]);
    expect(texts(convo.agent('ada-laptop'))).toEqual(['hello']);
    await expectHonestRoundTrip(convo, 'after-sibling-forgery');
  });
});

describe('attack: unknown key-share at first contact (issue #17 item 3)', () => {
  it('#17.3: a first contact made for another business’s list (which copied a device entry of this business) is refused by that device (equivocation alert)', async () => {
    const world = await ProtocolWorld.create('unknown-key-share');
    await world.revokeDevice('ada-phone'); // business X is at list version 2
    const laptop = world.device('ada-laptop');
    // Business Y (its owner runs the attack with the relay) lists X's laptop under its own account key.
    const env = world.newEnv('business-y');
    const businessY = await attackerAccount(env);
    // Since #17.2 the entry's proof of possession names X's account, so Y cannot sign such a list, and
    // no view accepts one: the attack is stopped at the list. The transcript binding (#17.3) is checked
    // below with a visitor that skipped that check and used Y's list as if it were valid.
    const yDevices = [{ ...laptop.entry, role: 'owner' as const, sponsorId: laptop.entry.deviceId }];
    await expect(createFirstDeviceList(businessY, { devices: yDevices }, env)).rejects.toBeInstanceOf(SignatureError);
    const listYBody = encodeDeviceListBody({
      accountId: businessY.accountId,
      version: 1,
      previousHash: new Uint8Array(32),
      accountKey: businessY.signing.publicKey,
      issuedAt: env.now(),
      notAfter: env.now() + 1000,
      supportedVersions: [2],
      devices: yDevices,
    });
    const listY = {
      accountId: businessY.accountId,
      accountKey: businessY.signing.publicKey,
      version: 1,
      hash: await deviceListHash(listYBody),
      devices: yDevices,
      earlier: [],
    };
    const bundle = world.relay.fetchPrekeyBundle(laptop.keys.deviceId, 'visitor-of-y');
    if (bundle === undefined) throw new RangeError('no bundle');
    const visitorEnv = world.newEnv('visitor-of-y');
    const started = await startVisitorConversation(listY, [bundle], visitorEnv);
    const sent = await sendMessage(started.state, { kind: 'text', text: 'hello Y, here is my order' }, visitorEnv);
    const packet = sent.outgoing[0];
    if (packet === undefined) throw new RangeError('no packet');
    // The relay routes it to X's laptop, which holds X's list.
    const before = snapshot(laptop.prekeys);
    const context = { device: laptop.keys, prekeys: laptop.prekeys, deviceList: conversationListOf(laptop.view) };
    const error: unknown = await openAgentConversation(packet.body, context, laptop.env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EquivocationError);
    expect(rejectionAlert(error, started.state.conversationId, packet.body)?.kind).toBe(ALERT_KINDS.equivocation);
    expect(snapshot(laptop.prekeys)).toBe(before);
    await expectHonestRoundTrip(await WorldConversation.start(world, 'visitor-of-x'), 'after-unknown-key-share');
  });
});
