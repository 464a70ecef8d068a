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
  conversationPacketCodec,
  ZERO_HASH,
  sendMessage,
  sessionFromBundle,
  type ConversationState,
  UnauthorisedDeviceError,
} from '../../shared/protocol/index.js';
import { asCiphertext, decode, encode, encodeEnvelope, type DeviceId, idEquals } from '../../shared/wire/index.js';
import { forgePacket } from '../support/attacker.js';
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
  it('F2: a first message whose visitor key the relay swapped does not open (forged alert); the genuine one still does', async () => {
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
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(DecryptError);
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
  it('F2: a relay that races the visitor with its own first contact never reads the visitor; both sides alert (forged)', async () => {
    // Visitors are anonymous (F22), so a first contact that arrives first is accepted as "the
    // visitor". The relay can therefore hijack a fresh conversation — but only as a denial of
    // service: the genuine visitor's messages are refused at the agent, the agent's replies are
    // refused at the visitor, and each side raises the forged alert.
    const world = await ProtocolWorld.create('visitor-race');
    const laptopId = world.device('ada-laptop').keys.deviceId;
    const convo = await WorldConversation.start(world, 'visitor');
    const visitorId = convo.visitor.state?.selfId;
    if (visitorId === undefined) throw new RangeError('no visitor id');
    const raced = await relayFirstContact(convo, visitorId, 'ada-laptop', 'hi, this is the visitor');
    for (const bytes of raced) world.relay.inject(bytes);
    await convo.visitorSends('my card ends in 4242');
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toEqual(['hi, this is the visitor']);
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(UnauthorisedDeviceError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.forged]);
    await convo.agentSends('ada-laptop', 'hello, how can I help?');
    const outcomes = await convo.deliverToVisitor();
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.forged]);
    expect(texts(convo.visitor)).toEqual([]);
    // The laptop's session is with the relay's key, so the genuine visitor's key was never used by it.
    expect(convo.agent('ada-laptop').state?.visitorIdentityKey).not.toEqual(
      convo.visitor.state?.visitorIdentity?.publicKey,
    );
    expect(world.relay.pending(convo.conversationId, { kind: 'device', deviceId: laptopId })).toBe(0);
    await expectHonestRoundTrip(await WorldConversation.start(world, 'visitor-2'), 'after-race');
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
