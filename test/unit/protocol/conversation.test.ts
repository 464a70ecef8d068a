/**
 * Conversation layer over first contact and the ratchet: sender authentication (F3), the
 * visitor's key bound into first contact (F2), padding (F17), ordering / gaps / divergence /
 * close (F9), random ids (F20), versions (F21), and hostile input: typed error, no crash, state
 * unchanged (security brief §4).
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, DecryptError, SignatureError } from '../../../shared/errors/index.js';
import { decode, encode, idEquals } from '../../../shared/wire/index.js';
import {
  ALERT_KINDS,
  rejectionAlert,
  applyDeviceList,
  type ConversationPacket,
  conversationPacketCodec,
  endConversation,
  tick,
  DeviceListBehindError,
  ORDER_LIMITS,
  openAgentConversation,
  receiveAsAgent,
  receiveMessage,
  sendMessage,
  startVisitorConversation,
  type OutgoingPacket,
  type AgentStep,
  type ConversationDeviceList,
  type ConversationState,
  type ProtocolEnv,
  EquivocationError,
  OneTimePrekeyReuseError,
  ProtocolStateError,
  ReplayError,
  RollbackError,
  UnauthorisedDeviceError,
  chunkCountFor,
  SESSION_LABELS,
  sessionLabelled,
} from '../../../shared/protocol/index.js';
import { PADDING_BUCKETS } from '../../../shared/protocol/conversation/padding.js';
import { ed25519Verify, GCM_TAG_BYTES } from '../../../shared/crypto/index.js';
import { toHex } from '../../../shared/crypto/index.js';
import { type DeviceId } from '../../../shared/wire/index.js';
import {
  type ConversationFrame,
  frameCodec,
  keyPacketCodec,
} from '../../../shared/protocol/conversation/conversation-codec.js';
import { sealBody } from '../../../shared/protocol/conversation/conversation-content.js';
import { nextFrame } from '../../../shared/protocol/conversation/conversation-send.js';
import { sealForPeer } from '../../../shared/protocol/session/first-contact.js';
import { withoutOneTimePrekey } from '../../support/attacker.js';
import { seededEnv } from '../../support/seeded-env.js';
import { snapshot } from '../../support/state-snapshot.js';
import {
  type AgentParty,
  type RelaylessWorld,
  agentSends,
  relaylessWorld,
  deliver,
  deliverAll,
  releasedTexts,
  visitorSends,
} from '../../support/relayless-world.js';

function packetFor(packets: readonly OutgoingPacket[], agent: AgentParty): OutgoingPacket {
  const p = packets.find((x) => idEquals(x.recipientId, agent.keys.deviceId));
  if (p === undefined) throw new Error('no packet for that device');
  return p;
}

function toVisitor(packets: readonly OutgoingPacket[]): OutgoingPacket {
  const p = packets.find((x) => x.recipient.kind === 'visitor');
  if (p === undefined) throw new Error('no packet for the visitor');
  return p;
}

function rewrite(packet: OutgoingPacket, change: (p: ConversationPacket) => ConversationPacket): OutgoingPacket {
  return { ...packet, body: encode(conversationPacketCodec, change(decode(conversationPacketCodec, packet.body))) };
}

function agentContext(world: RelaylessWorld, agent: AgentParty) {
  return { device: agent.keys, prekeys: agent.prekeys, deviceList: world.list };
}

/** Delivery to an agent that must fail with `errorClass` and leave its conversation and prekeys unchanged. */
async function agentRejects(
  world: RelaylessWorld,
  agent: AgentParty,
  body: Uint8Array,
  errorClass: new (...args: never[]) => Error,
): Promise<Error> {
  const before = snapshot([agent.state, agent.prekeys]);
  const context = agentContext(world, agent);
  const action =
    agent.state === null
      ? openAgentConversation(body, context, agent.env)
      : receiveAsAgent(agent.state, body, context, agent.env);
  const error: unknown = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorClass);
  expect(snapshot([agent.state, agent.prekeys])).toBe(before);
  return error as Error;
}

async function visitorRejects(
  world: RelaylessWorld,
  body: Uint8Array,
  errorClass: new (...args: never[]) => Error,
): Promise<Error> {
  const before = snapshot(world.visitor.state);
  const error: unknown = await receiveMessage(world.visitor.state, body, world.visitor.env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorClass);
  expect(snapshot(world.visitor.state)).toBe(before);
  return error as Error;
}

/**
 * A hostile visitor's own client: the next frame with `acks` exactly as given (its honest client
 * sorts them and never names itself), encrypted and fanned out as sendMessage does.
 */
async function sendRawFrame(
  state: ConversationState,
  acks: ConversationFrame['acks'],
  env: ProtocolEnv,
  fields: Partial<ConversationFrame> = {},
  rewrite: (frame: Uint8Array) => Uint8Array = (frame) => frame,
): Promise<OutgoingPacket[]> {
  const frame = rewrite(
    encode(frameCodec, { ...nextFrame(state, { kind: 'text', text: 'hostile frame' }, env), acks, ...fields }),
  );
  const sealed = await sealBody(frame, state.conversationId, state.selfId, env);
  const keys = encode(keyPacketCodec, { contentKey: sealed.contentKey, bodyHash: sealed.bodyHash });
  const out: OutgoingPacket[] = [];
  for (const session of state.sessions) {
    const { packet } = await sealForPeer(session, keys, undefined);
    const body = encode(conversationPacketCodec, {
      conversationId: state.conversationId,
      senderId: state.selfId,
      recipientId: session.peerId,
      session: packet,
      body: sealed.body,
    });
    out.push({ recipientId: session.peerId, recipient: { kind: 'device', deviceId: session.peerId }, body });
  }
  return out;
}

/** World with one first exchange done: the visitor wrote, agent-0 replied (to visitor and siblings). */
async function afterFirstReply(
  seed: string,
  devices = 2,
): Promise<{ world: RelaylessWorld; agent: AgentParty; reply: readonly OutgoingPacket[] }> {
  const world = await relaylessWorld(seed, devices);
  const agent = world.agents[0];
  if (agent === undefined) throw new Error('no agent');
  await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'hi' }));
  const reply = await agentSends(world, agent, { kind: 'text', text: 'hello, how can I help?' });
  return { world, agent, reply };
}

describe('first contact and sender authentication', () => {
  it('F20: conversation ids and visitor ids are random 128-bit values, different per conversation', async () => {
    const world = await relaylessWorld('ids', 1);
    const other = await startVisitorConversation(world.list, world.bundles, seededEnv('another visitor', world.clock));
    expect(world.visitor.state.conversationId).toHaveLength(16);
    expect(other.state.conversationId).not.toEqual(world.visitor.state.conversationId);
    expect(other.state.selfId).not.toEqual(world.visitor.state.selfId);
  });

  it('F2: the visitor key travels in the first message; a relay that swaps it makes the agent refuse it (UnauthorisedDeviceError: the ids are derived from the genuine key), nothing stored', async () => {
    const world = await relaylessWorld('f2-swap', 1);
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    const first = packetFor(await visitorSends(world, { kind: 'text', text: 'my card ends 4242' }), agent);
    const relayKey = (await startVisitorConversation(world.list, world.bundles, seededEnv('relay', world.clock))).state
      .visitorIdentity?.publicKey;
    if (relayKey === undefined) throw new Error('no key');
    const swapped = rewrite(first, (p) =>
      p.session.kind === 'initial'
        ? { ...p, session: { ...p.session, header: { ...p.session.header, initiatorIdentityKey: relayKey } } }
        : p,
    );
    const error = await agentRejects(world, agent, swapped.body, UnauthorisedDeviceError);
    expect(rejectionAlert(error, world.visitor.state.conversationId)?.kind).toBe(ALERT_KINDS.forged);
    await deliver(world, first);
    expect(releasedTexts(agent.shown)).toEqual(['my card ends 4242']);
  });

  it('F2: once the visitor key is pinned, a first contact claiming the visitor with another key is refused', async () => {
    const world = await relaylessWorld('f2-pinned', 1);
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'hi' }));
    const impostor = await startVisitorConversation(
      world.list,
      world.bundles.map(withoutOneTimePrekey),
      seededEnv('impostor', world.clock),
    );
    const forged = await sendMessage(
      { ...impostor.state, conversationId: world.visitor.state.conversationId, selfId: world.visitor.state.selfId },
      { kind: 'text', text: 'send your card number' },
      seededEnv('impostor-2', world.clock),
    );
    const packet = forged.outgoing[0];
    if (packet === undefined) throw new Error('no packet');
    await agentRejects(world, agent, packet.body, UnauthorisedDeviceError);
  });

  it('F3: the agent device signs its first reply; the visitor accepts it and later unsigned packets', async () => {
    const { world, reply } = await afterFirstReply('f3-signed');
    const packet = decode(conversationPacketCodec, toVisitor(reply).body);
    expect(packet.session.kind).toBe('signedReply');
    await deliverAll(world, reply);
    expect(releasedTexts(world.visitor.shown)).toEqual(['hello, how can I help?']);
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'where is my order?' }));
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    const later = await agentSends(world, agent, { kind: 'text', text: 'on its way' });
    expect(decode(conversationPacketCodec, toVisitor(later).body).session.kind).toBe('normal');
    await deliverAll(world, later);
    expect(releasedTexts(world.visitor.shown)).toEqual(['hello, how can I help?', 'on its way']);
  });

  it('#17.5: the first-reply signature covers only the transcript (label || AD): one signature for every signed reply of the session, none over content', async () => {
    const { world, agent, reply } = await afterFirstReply('deniable-reply');
    const second = await agentSends(world, agent, { kind: 'text', text: 'a second signed reply' });
    const signatures = [reply, second].map((packets) => {
      const session = decode(conversationPacketCodec, toVisitor(packets).body).session;
      if (session.kind !== 'signedReply') throw new Error('expected a signed reply');
      return session.signature;
    });
    expect(signatures[1]).toEqual(signatures[0]);
    const visitorSession = world.visitor.state.sessions.find((s) => idEquals(s.peerId, agent.keys.deviceId));
    if (visitorSession === undefined || signatures[0] === undefined) throw new Error('no session');
    const transcriptOnly = sessionLabelled(SESSION_LABELS.firstReply, visitorSession.ratchet.associatedData);
    expect(await ed25519Verify(agent.keys.signing.publicKey, transcriptOnly, signatures[0])).toBe(true);
    await deliverAll(world, reply);
    await deliverAll(world, second);
    expect(releasedTexts(world.visitor.shown)).toEqual(['hello, how can I help?', 'a second signed reply']);
  });

  it('F3: a first reply with a bad signature is a SignatureError, state unchanged', async () => {
    const { world, reply } = await afterFirstReply('f3-bad-signature');
    const tampered = rewrite(toVisitor(reply), (p) => {
      if (p.session.kind !== 'signedReply') throw new Error('expected a signed reply');
      const signature = new Uint8Array(p.session.signature);
      signature[10] = (signature[10] ?? 0) ^ 1;
      return { ...p, session: { ...p.session, signature } };
    });
    const error = await visitorRejects(world, tampered.body, SignatureError);
    expect(rejectionAlert(error, world.visitor.state.conversationId)?.kind).toBe(ALERT_KINDS.badSignature);
  });

  it('F3: an unsigned packet before the signed first reply is refused (UnauthorisedDeviceError, forged alert), state unchanged', async () => {
    const { world, reply } = await afterFirstReply('f3-unsigned');
    const unsigned = rewrite(toVisitor(reply), (p) =>
      p.session.kind === 'signedReply'
        ? { ...p, session: { kind: 'normal', sessionId: p.session.sessionId, message: p.session.message } }
        : p,
    );
    const error = await visitorRejects(world, unsigned.body, UnauthorisedDeviceError);
    expect(rejectionAlert(error, world.visitor.state.conversationId)?.kind).toBe(ALERT_KINDS.forged);
  });

  it('F3: a message injected as the agent (forged ciphertext) is a DecryptError with a forged alert, state unchanged', async () => {
    const { world, reply } = await afterFirstReply('f3-forged');
    await deliverAll(world, reply);
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    const next = toVisitor(await agentSends(world, agent, { kind: 'text', text: 'honest' }));
    const injected = rewrite(next, (p) => {
      const body = new Uint8Array(p.body);
      body[3] = (body[3] ?? 0) ^ 0xff;
      return { ...p, body };
    });
    const error = await visitorRejects(world, injected.body, DecryptError);
    expect(rejectionAlert(error, world.visitor.state.conversationId)?.kind).toBe(ALERT_KINDS.forged);
    await deliver(world, next);
    expect(releasedTexts(world.visitor.shown)).toEqual(['hello, how can I help?', 'honest']);
  });

  it('a body swapped between two messages does not match the hash in the key packet (DecryptError)', async () => {
    const world = await relaylessWorld('body-swap', 1);
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    const a = packetFor(await visitorSends(world, { kind: 'text', text: 'pay 10' }), agent);
    const b = packetFor(await visitorSends(world, { kind: 'text', text: 'pay 1000' }), agent);
    const bBody = decode(conversationPacketCodec, b.body).body;
    await agentRejects(world, agent, rewrite(a, (p) => ({ ...p, body: bBody })).body, DecryptError);
  });

  it('one-time prekey handed out twice: the second first contact is refused with a prekey-reuse alert', async () => {
    const world = await relaylessWorld('otpk-reuse', 1);
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'first visitor' }));
    const second = await startVisitorConversation(world.list, world.bundles, seededEnv('second visitor', world.clock));
    const step = await sendMessage(
      second.state,
      { kind: 'text', text: 'second visitor' },
      seededEnv('second visitor/send', world.clock),
    );
    const packet = step.outgoing[0];
    if (packet === undefined) throw new Error('no packet');
    const context = agentContext(world, agent);
    const before = snapshot(agent.prekeys);
    const error: unknown = await openAgentConversation(packet.body, context, agent.env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OneTimePrekeyReuseError);
    expect(snapshot(agent.prekeys)).toBe(before);
    expect(rejectionAlert(error, second.state.conversationId)?.kind).toBe(ALERT_KINDS.prekeyReuse);
  });

  it('split view: a first contact made for another list of the same version is an EquivocationError', async () => {
    const world = await relaylessWorld('split-view', 1);
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    const otherList = { ...world.list, hash: new Uint8Array(32).fill(7) };
    const bundles = world.bundles.map(withoutOneTimePrekey);
    const visitor = await startVisitorConversation(otherList, bundles, seededEnv('split visitor', world.clock));
    const step = await sendMessage(
      visitor.state,
      { kind: 'text', text: 'hi' },
      seededEnv('split visitor/send', world.clock),
    );
    const packet = step.outgoing[0];
    if (packet === undefined) throw new Error('no packet');
    await agentRejects(world, agent, packet.body, EquivocationError);
  });
});

describe('conversation packets: hostile input', () => {
  it('truncated, extended, unknown-version and misaddressed packets: typed errors, state unchanged', async () => {
    const { world, agent } = await afterFirstReply('bad-input', 1);
    const good = packetFor(await visitorSends(world, { kind: 'text', text: 'next' }), agent);
    await agentRejects(world, agent, good.body.subarray(0, good.body.length - 1), DecodeError);
    await agentRejects(world, agent, new Uint8Array([...good.body, 0]), DecodeError);
    await agentRejects(world, agent, new Uint8Array(0), DecodeError);
    const v2 = new Uint8Array(good.body);
    v2[0] = 3;
    await agentRejects(world, agent, v2, DecodeError);
    const otherConversation = rewrite(good, (p) => ({
      ...p,
      conversationId: world.visitor.state.selfId as unknown as typeof p.conversationId,
    }));
    await agentRejects(world, agent, otherConversation.body, ProtocolStateError);
    await deliver(world, good);
    expect(releasedTexts(agent.shown)).toEqual(['hi', 'next']);
  });

  it('F9: a replayed packet is a ReplayError with a replay alert, state unchanged; traffic continues', async () => {
    const { world, agent } = await afterFirstReply('conv-replay', 1);
    const p = packetFor(await visitorSends(world, { kind: 'text', text: 'refund approved' }), agent);
    await deliver(world, p);
    const error = await agentRejects(world, agent, p.body, ReplayError);
    expect(rejectionAlert(error, world.visitor.state.conversationId)?.kind).toBe(ALERT_KINDS.replay);
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'thanks' }));
    expect(releasedTexts(agent.shown)).toEqual(['hi', 'refund approved', 'thanks']);
  });
});

describe('ordering, gaps, divergence and close', () => {
  it('F9: reordering inside the window is shown in sender order with no alert', async () => {
    const { world, agent } = await afterFirstReply('reorder', 1);
    const a = packetFor(await visitorSends(world, { kind: 'text', text: 'one' }), agent);
    const b = packetFor(await visitorSends(world, { kind: 'text', text: 'two' }), agent);
    const c = packetFor(await visitorSends(world, { kind: 'text', text: 'three' }), agent);
    await deliverAll(world, [c, a, b]);
    expect(releasedTexts(agent.shown)).toEqual(['hi', 'one', 'two', 'three']);
    expect(agent.alerts).toEqual([]);
  });

  it('F9: a dropped message is flagged as a gap once a later one arrived and its wait is over', async () => {
    const { world, agent } = await afterFirstReply('drop', 1);
    await visitorSends(world, { kind: 'text', text: 'dropped by the relay' });
    const later = packetFor(await visitorSends(world, { kind: 'text', text: 'later' }), agent);
    await deliver(world, later);
    expect(releasedTexts(agent.shown)).toEqual(['hi']);
    world.clock.advance(ORDER_LIMITS.reorderWindowMs);
    if (agent.state === null) throw new Error('no state');
    const step = tick(agent.state, agent.env);
    expect(step.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.gap]);
    expect(releasedTexts(step.released)).toEqual(['later']);
  });

  it('F17: bodies are padded to buckets: short texts of different lengths give equal-size ciphertexts', async () => {
    const world = await relaylessWorld('padding', 1);
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    const sizes: number[] = [];
    for (const text of [
      'ok',
      'a somewhat longer canned reply about refunds and returns',
      'x'.repeat(100),
      'y'.repeat(600),
    ]) {
      const p = packetFor(await visitorSends(world, { kind: 'text', text }), agent);
      sizes.push(decode(conversationPacketCodec, p.body).body.length);
    }
    const first = PADDING_BUCKETS[0] ?? 0;
    const second = PADDING_BUCKETS[1] ?? 0;
    expect(sizes).toEqual([
      first + GCM_TAG_BYTES,
      first + GCM_TAG_BYTES,
      first + GCM_TAG_BYTES,
      second + GCM_TAG_BYTES,
    ]);
  });

  it("F9: delivery to only one of the account's devices is flagged by the other (device divergence)", async () => {
    const world = await relaylessWorld('divergence', 2);
    const [laptop, phone] = world.agents;
    if (laptop === undefined || phone === undefined) throw new Error('two devices expected');
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'hello' }));
    const second = await visitorSends(world, { kind: 'text', text: 'only the laptop gets this' });
    await deliver(world, packetFor(second, laptop)); // the relay withholds the phone's copy
    await deliverAll(world, await agentSends(world, laptop, { kind: 'text', text: 'answer' }));
    expect(releasedTexts(phone.shown)).toEqual(['hello', 'answer']);
    world.clock.advance(ORDER_LIMITS.reorderWindowMs);
    if (phone.state === null) throw new Error('no state');
    const step = tick(phone.state, phone.env);
    expect(step.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.deviceDivergence]);
  });

  it('F9: a conversation that ends without an authenticated close is flagged (missing close)', async () => {
    const { world, agent, reply } = await afterFirstReply('truncated', 1);
    await deliverAll(world, reply);
    expect(endConversation(world.visitor.state, world.visitor.env).alerts.map((a) => a.kind)).toEqual([
      ALERT_KINDS.missingClose,
    ]);
    await deliverAll(world, await agentSends(world, agent, { kind: 'close', reason: 'resolved' }));
    const ended = endConversation(world.visitor.state, world.visitor.env);
    expect(ended.alerts).toEqual([]);
    expect(ended.state.ended).toBe(true);
  });

  it("nothing can be sent after one's own close, and nothing is accepted after the sender's close", async () => {
    const { world, agent } = await afterFirstReply('after-close', 1);
    await deliverAll(world, await visitorSends(world, { kind: 'close', reason: '' }));
    await expect(visitorSends(world, { kind: 'text', text: 'more' })).rejects.toBeInstanceOf(ProtocolStateError);
    // A forged continuation after the close (the visitor's state, rewound, sends seq 3).
    const rewound = await sendMessage(
      { ...world.visitor.state, closedBySelf: false },
      { kind: 'text', text: 'after close' },
      world.visitor.env,
    );
    const packet = packetFor(rewound.outgoing, agent).body;
    const error = await agentRejects(world, agent, packet, ProtocolStateError);
    // Only the sender can write past its own authenticated close: it alone is named (#9.6 sibling).
    const alert = rejectionAlert(error, world.visitor.state.conversationId, packet);
    expect(alert?.kind).toBe(ALERT_KINDS.invalidContent);
    expect(alert?.suspects).toEqual([{ kind: 'participant', id: world.visitor.state.selfId }]);
  });

  it('#9.6: a frame that breaks the rules after it authenticated (acks out of order, its own author acked) is invalid-content naming its sender, never forged', async () => {
    const { world, agent, reply } = await afterFirstReply('invalid-content', 2);
    await deliverAll(world, reply);
    const state = world.visitor.state;
    const [a, b] = world.agents;
    if (a === undefined || b === undefined) throw new Error('two devices expected');
    const ack = (sender: DeviceId) => ({ sender, seq: 1, hash: new Uint8Array(32), listVersion: 1 });
    const ordered = [a.keys.deviceId, b.keys.deviceId].sort((x, y) => (toHex(x) < toHex(y) ? -1 : 1));
    for (const acks of [[...ordered].reverse().map(ack), [ack(state.selfId)]]) {
      const packets = await sendRawFrame(state, acks, world.visitor.env);
      const body = packetFor(packets, agent).body;
      const error = await agentRejects(world, agent, body, DecodeError);
      const alert = rejectionAlert(error, state.conversationId, body);
      expect(alert?.kind).toBe(ALERT_KINDS.invalidContent);
      expect(alert?.suspects).toEqual([{ kind: 'participant', id: state.selfId }]);
    }
  });

  it('every message kind round-trips: typing, read receipt, attachment reference, in-band device lists (opaque here)', async () => {
    const { world, agent, reply } = await afterFirstReply('kinds', 1);
    await deliverAll(world, reply);
    const attachment = {
      kind: 'attachment',
      ref: {
        attachmentId: new Uint8Array(16).fill(1),
        fileKey: new Uint8Array(32).fill(2),
        size: 123_456,
        chunkCount: chunkCountFor(123_456),
        firstChunkHash: new Uint8Array(32).fill(3),
        mediaType: 'application/pdf',
        fileName: 'invoice.pdf',
      },
    } as const;
    await deliverAll(world, await visitorSends(world, { kind: 'typing', active: true }));
    await deliverAll(world, await visitorSends(world, { kind: 'readReceipt', sender: agent.keys.deviceId, seq: 1 }));
    await deliverAll(world, await visitorSends(world, attachment));
    const inBand = { kind: 'deviceList', lists: [new Uint8Array(100).fill(4), new Uint8Array(7)] } as const;
    await deliverAll(world, await visitorSends(world, inBand));
    expect(agent.shown.slice(1).map((m) => m.body)).toEqual([
      { kind: 'typing', active: true },
      { kind: 'readReceipt', sender: agent.keys.deviceId, seq: 1 },
      attachment,
      inBand,
    ]);
  });
});

describe('list versions in the frame (PROTOCOL §7.2, §15)', () => {
  it('#15: a frame whose prevListVersion breaks §7.2 (not 0 at seq 1, 0 later, above its own list) is invalid-content naming its sender', async () => {
    const { world, agent, reply } = await afterFirstReply('prev-list-version', 2);
    await deliverAll(world, reply);
    const state = world.visitor.state;
    // The visitor has sent seq 1 (on list 1): its next frame is seq 2.
    const list = state.deviceList.version;
    const bad: Partial<ConversationFrame>[] = [
      { seq: 1, prevHash: new Uint8Array(32), prevListVersion: list },
      { prevListVersion: 0 },
      { prevListVersion: list + 1 },
    ];
    for (const fields of bad) {
      const body = packetFor(await sendRawFrame(state, [], world.visitor.env, fields), agent).body;
      const error = await agentRejects(world, agent, body, DecodeError);
      expect(error.message).toMatch(/previous (list version|frame named list)/);
      const alert = rejectionAlert(error, state.conversationId, body);
      expect(alert?.kind).toBe(ALERT_KINDS.invalidContent);
      expect(alert?.suspects).toEqual([{ kind: 'participant', id: state.selfId }]);
    }
  });

  it('#15: a frame of the retired version 2 (no prevListVersion) or of an unknown version is refused with a DecodeError naming it', async () => {
    const { world, agent, reply } = await afterFirstReply('frame-version', 2);
    await deliverAll(world, reply);
    const state = world.visitor.state;
    for (const [version, named] of [
      [2, 'retired version 2'],
      [4, 'unknown conversation frame version 4'],
    ] as const) {
      const withVersion = (frame: Uint8Array): Uint8Array => Uint8Array.of(version, ...frame.subarray(1));
      const body = packetFor(await sendRawFrame(state, [], world.visitor.env, {}, withVersion), agent).body;
      const error = await agentRejects(world, agent, body, DecodeError);
      expect(error.message).toContain(named);
      expect(rejectionAlert(error, state.conversationId, body)?.kind).toBe(ALERT_KINDS.invalidContent);
    }
    expect(encode(frameCodec, nextFrame(state, { kind: 'typing', active: true }, world.visitor.env))[0]).toBe(3);
  });
});

describe('device list changes during a conversation', () => {
  it('F10: a revoked device gets no ciphertext after the list update, and its packets are refused', async () => {
    const world = await relaylessWorld('revoke', 2);
    const [kept, revoked] = world.agents;
    if (kept === undefined || revoked === undefined) throw new Error('two devices expected');
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'hello' }));
    const fromRevoked = await agentSends(world, revoked, { kind: 'text', text: 'sent before the revocation arrived' });
    const v2 = {
      ...world.list,
      version: 2,
      hash: new Uint8Array(32).fill(2),
      devices: world.list.devices.filter((d) => idEquals(d.deviceId, kept.keys.deviceId)),
    };
    const updated = await applyDeviceList(world.visitor.state, v2, [], world.visitor.env);
    world.visitor.state = updated.state;
    const next = await visitorSends(world, { kind: 'text', text: 'only for listed devices' });
    expect(next.map((p) => p.recipientId)).toEqual([kept.keys.deviceId]);
    await visitorRejects(world, toVisitor(fromRevoked).body, UnauthorisedDeviceError);
    await expect(applyDeviceList(world.visitor.state, world.list, [], world.visitor.env)).rejects.toBeInstanceOf(
      RollbackError,
    );
    await expect(
      applyDeviceList(world.visitor.state, { ...v2, hash: new Uint8Array(32).fill(3) }, [], world.visitor.env),
    ).rejects.toBeInstanceOf(EquivocationError);
  });
});

describe('device lists seen by agent devices', () => {
  /** A version 2 of the world's list (same devices), with version 1 as its earlier link. */
  function nextList(world: RelaylessWorld): ConversationDeviceList {
    return {
      ...world.list,
      version: 2,
      hash: new Uint8Array(32).fill(2),
      earlier: [{ version: 1, hash: world.list.hash }],
    };
  }

  function openWith(agent: AgentParty, body: Uint8Array, deviceList: ConversationDeviceList): Promise<AgentStep> {
    return openAgentConversation(body, { device: agent.keys, prekeys: agent.prekeys, deviceList }, agent.env);
  }

  it('F10: a first contact made for an older device list is answered but flagged (rollback alert)', async () => {
    const world = await relaylessWorld('older-list', 1);
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    const v2 = nextList(world);
    const first = packetFor(await visitorSends(world, { kind: 'text', text: 'hello' }), agent);
    // #17.3: an older version that is not a link of this device's chain is refused.
    await expect(openWith(agent, first.body, { ...v2, earlier: [] })).rejects.toBeInstanceOf(EquivocationError);
    const step = await openWith(agent, first.body, v2);
    expect(step.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.rollback]);
    expect(releasedTexts(step.released)).toEqual(['hello']);
    expect(step.state.deviceList.version).toBe(2);
  });

  it('#17.4: a first contact made for a newer list than the device holds is refused without an alert until it fetches the list', async () => {
    const world = await relaylessWorld('newer-list', 1);
    const agent = world.agents[0];
    if (agent === undefined) throw new Error('no agent');
    const v2 = nextList(world);
    const visitorEnv = seededEnv('newer-list visitor', world.clock);
    const visitor = await startVisitorConversation(v2, world.bundles.map(withoutOneTimePrekey), visitorEnv);
    const first = packetFor(
      (await sendMessage(visitor.state, { kind: 'text', text: 'hello' }, visitorEnv)).outgoing,
      agent,
    );
    const error = await agentRejects(world, agent, first.body, DeviceListBehindError);
    expect(error).toMatchObject({ version: 2 });
    expect(rejectionAlert(error, visitor.state.conversationId, first.body)).toBeUndefined();
    const step = await openWith(agent, first.body, v2);
    expect(releasedTexts(step.released)).toEqual(['hello']);
    expect(step.alerts).toEqual([]);
  });

  it('F10: an agent device passing a newer list drops the revoked sibling from its fan-out', async () => {
    const world = await relaylessWorld('agent-revoke', 3);
    const [laptop, phone, revoked] = world.agents;
    if (laptop === undefined || phone === undefined || revoked === undefined) throw new Error('three devices expected');
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'hello' }));
    await deliverAll(world, await agentSends(world, laptop, { kind: 'text', text: 'hi' }));
    if (laptop.state === null) throw new Error('no state');
    const v2 = {
      ...world.list,
      version: 2,
      hash: new Uint8Array(32).fill(2),
      devices: world.list.devices.filter((d) => !idEquals(d.deviceId, revoked.keys.deviceId)),
    };
    const step = await sendMessage(laptop.state, { kind: 'text', text: 'after revocation' }, laptop.env, {
      device: laptop.keys,
      siblingBundles: [],
      deviceList: v2,
    });
    expect(step.outgoing.map((o) => o.recipientId)).toEqual([world.visitor.state.selfId, phone.keys.deviceId]);
    expect(step.state.sessions.some((s) => idEquals(s.peerId, revoked.keys.deviceId))).toBe(false);
  });
});

describe('sibling sessions', () => {
  it('two devices of the account that reply at the same moment converge on one session and keep the history', async () => {
    const world = await relaylessWorld('simultaneous', 2);
    const [laptop, phone] = world.agents;
    if (laptop === undefined || phone === undefined) throw new Error('two devices expected');
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'hello' }));
    const fromLaptop = await agentSends(world, laptop, { kind: 'text', text: 'laptop here' });
    const fromPhone = await agentSends(world, phone, { kind: 'text', text: 'phone here' });
    await deliverAll(world, [...fromLaptop, ...fromPhone]);
    for (let round = 0; round < 2; round++) {
      await deliverAll(world, await agentSends(world, laptop, { kind: 'text', text: `laptop ${round}` }));
      await deliverAll(world, await agentSends(world, phone, { kind: 'text', text: `phone ${round}` }));
    }
    expect(releasedTexts(phone.shown)).toEqual(['hello', 'laptop here', 'laptop 0', 'laptop 1']);
    expect(releasedTexts(laptop.shown)).toEqual(['hello', 'phone here', 'phone 0', 'phone 1']);
    expect(releasedTexts(world.visitor.shown)).toEqual([
      'laptop here',
      'phone here',
      'laptop 0',
      'phone 0',
      'laptop 1',
      'phone 1',
    ]);
    expect(laptop.state?.sessions.filter((s) => idEquals(s.peerId, phone.keys.deviceId))).toHaveLength(2);
    for (const party of [world.visitor, laptop, phone]) expect(party.alerts).toEqual([]);
  });
});
