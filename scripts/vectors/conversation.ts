/**
 * Runs the vector script (docs/PROTOCOL.md §18.2) with the real protocol transitions: the visitor
 * starts, then every step sends or delivers one packet. Each send records its frame, content key,
 * body and per-recipient packets with their ratchet keys; each delivery what it released and drew.
 */
import { constantTimeEqual, toHex } from '../../shared/crypto/index.js';
import {
  type AgentStep,
  type ConversationPacket,
  conversationPacketCodec,
  type ConversationState,
  type ConversationStep,
  openAgentConversation,
  type PeerSession,
  type PrekeyBundle,
  receiveAsAgent,
  receiveMessage,
  safetyCode,
  sendMessage,
  startVisitorConversation,
} from '../../shared/protocol/index.js';
import { decode, type DeviceId } from '../../shared/wire/index.js';
import { bundleFor, bundleJson, createVectorAccount, type VectorAccount, type VectorDevice } from './account.js';
import { bodyJson, bodyOf } from './bodies.js';
import { type BodyInput, VISITOR, type VectorInputs } from './inputs.js';
import { openedBody, packetKeys, sessionIntermediates, type SessionIntermediates } from './intermediates.js';
import { type RecordingEnv, recordingEnv, rngBlock, type VectorClock, vectorClock } from './rng.js';
import { SeedBook } from './seeds.js';

interface Participant {
  readonly label: string;
  readonly seed: string;
  readonly env: RecordingEnv;
  readonly device: VectorDevice | undefined;
  state: ConversationState | null;
}

interface SentMessage {
  readonly from: string;
  readonly senderId: DeviceId;
  readonly seq: number;
  readonly frameHash: Uint8Array;
  readonly packets: readonly { readonly to: string; readonly bytes: Uint8Array }[];
}

export interface ConversationVectors {
  readonly account: VectorAccount;
  readonly bundles: Record<string, unknown>;
  readonly conversation: Record<string, unknown>;
  readonly sessions: readonly Record<string, unknown>[];
  readonly steps: readonly Record<string, unknown>[];
  readonly draws: Record<string, unknown>;
}

class ScriptRun {
  private readonly participants = new Map<string, Participant>();
  private readonly sent = new Map<string, SentMessage>();
  private readonly sessions = new Map<string, SessionIntermediates>();
  private readonly seeds: SeedBook;

  constructor(
    private readonly inputs: VectorInputs,
    private readonly clock: VectorClock,
    readonly account: VectorAccount,
    private readonly siblingBundles: ReadonlyMap<string, readonly PrekeyBundle[]>,
  ) {
    const visitorEnv = recordingEnv(inputs.seeds.visitor, clock);
    this.participants.set(VISITOR, {
      label: VISITOR,
      seed: inputs.seeds.visitor,
      env: visitorEnv,
      device: undefined,
      state: null,
    });
    for (const [i, device] of account.devices.entries()) {
      const seed = inputs.devices[i]?.seed ?? '';
      this.participants.set(device.label, { label: device.label, seed, env: device.env, device, state: null });
    }
    const rngs = new Map([...this.participants.values()].map((p) => [p.label, { seed: p.seed, env: p.env }]));
    rngs.set('account', { seed: inputs.seeds.account, env: account.env });
    this.seeds = new SeedBook(rngs);
  }

  participant(label: string): Participant {
    const p = this.participants.get(label);
    if (p === undefined) throw new Error(`no participant ${label} in the vector inputs`);
    return p;
  }

  labelOf(id: Uint8Array): string {
    for (const p of this.participants.values()) {
      const selfId = p.device?.keys.deviceId ?? p.state?.selfId;
      if (selfId !== undefined && constantTimeEqual(selfId, id)) return p.label;
    }
    throw new Error(`no participant has id ${toHex(id)}`);
  }

  async start(bundles: readonly PrekeyBundle[]): Promise<Record<string, unknown>> {
    const visitor = this.participant(VISITOR);
    visitor.env.setStep('start');
    const started = await startVisitorConversation(this.account.list, bundles, visitor.env.env);
    visitor.state = started.state;
    const ika = started.state.visitorIdentity?.publicKey;
    if (ika === undefined) throw new Error('the visitor has no identity key');
    return {
      conversationId: toHex(started.state.conversationId),
      visitorId: toHex(started.state.selfId),
      visitorIdentityKey: toHex(ika),
      safetyCode: await safetyCode(started.state.conversationId, ika, this.account.identity.signing.publicKey),
      alerts: started.alerts.map((a) => a.kind),
    };
  }

  private sessionParties(from: string, to: string, packet: ConversationPacket) {
    const first = packet.session;
    if (first.kind !== 'initial') throw new Error('not a first contact');
    const responder = this.participant(to).device;
    const prekeys = responder?.initialPrekeys;
    if (responder === undefined || prekeys === undefined) throw new Error(`${to} is not an agent device`);
    if (prekeys.current.id !== first.header.signedPrekeyId)
      throw new Error('the vectors use only the first signed prekey');
    const oneTimeId = first.header.oneTimePrekeyId;
    const oneTime = prekeys.oneTime.find((o) => o.id === oneTimeId);
    if (oneTimeId !== undefined && oneTime === undefined)
      throw new Error(`${to} never had one-time prekey ${oneTimeId}`);
    return {
      initiator: from,
      responder: to,
      responderIdentityKey: responder.keys.identityDh.publicKey,
      signedPrekey: prekeys.current.keyPair.publicKey,
      oneTimePrekey: oneTime?.keyPair.publicKey,
    };
  }

  async send(id: string, from: string, atMs: number, body: BodyInput): Promise<Record<string, unknown>> {
    const p = this.participant(from);
    if (p.state === null) throw new Error(`${from} has no conversation yet and cannot send ${id}`);
    p.env.setStep(`send ${id}`);
    const message = await bodyOf(body, p.env.env, (of) => {
      const read = this.sent.get(of);
      if (read === undefined) throw new Error(`${id} reads ${of}, which was not sent before`);
      return read;
    });
    const before = p.state;
    const agent =
      p.device === undefined
        ? undefined
        : { device: p.device.keys, siblingBundles: this.siblingBundles.get(from) ?? [] };
    const result = await sendMessage(before, message, p.env.env, agent);
    p.state = result.state;
    const packets: Record<string, unknown>[] = [];
    let opened: Awaited<ReturnType<typeof openedBody>> | undefined;
    let contentKey: Uint8Array | undefined;
    for (const out of result.outgoing) {
      const packet = decode(conversationPacketCodec, out.body);
      const to = this.labelOf(out.recipientId);
      const sid = toHex(packet.session.sessionId);
      const match = (s: PeerSession) =>
        constantTimeEqual(s.peerId, out.recipientId) && constantTimeEqual(s.sessionId, packet.session.sessionId);
      const after = result.state.sessions.find(match);
      if (after === undefined) throw new Error(`no session for the packet of ${id} to ${to}`);
      if (packet.session.kind === 'initial' && !this.sessions.has(sid))
        this.sessions.set(
          sid,
          await sessionIntermediates(this.seeds, this.sessionParties(from, to, packet), packet, after),
        );
      const chainKey = before.sessions.find(match)?.ratchet.sendChainKey ?? this.sessions.get(sid)?.chainKey;
      if (chainKey === undefined) throw new Error(`no sending chain for ${id} to ${to}`);
      const keys = await packetKeys(packet, chainKey, after);
      if (contentKey !== undefined && !constantTimeEqual(contentKey, keys.contentKey))
        throw new Error('one message, two content keys');
      contentKey = keys.contentKey;
      opened ??= await openedBody(packet, keys.contentKey, keys.bodyHash);
      packets.push({
        to,
        recipient: out.recipient.kind,
        ...keys.json,
        bodyBytes: packet.body.length,
        packet: toHex(out.body),
      });
    }
    if (opened === undefined || contentKey === undefined) throw new Error(`${id} produced no packet`);
    const key = contentKey;
    const contentKeyDraw = p.env.draws.find(
      (d) => d.step === `send ${id}` && d.bytes === 32 && constantTimeEqual(rngBlock(p.seed, d.block), key),
    );
    if (contentKeyDraw === undefined) throw new Error(`the content key of ${id} is not a draw of ${from}`);
    const frame = opened.frame;
    this.sent.set(id, {
      from,
      senderId: frame.senderId,
      seq: frame.seq,
      frameHash: opened.frameHash,
      packets: result.outgoing.map((o) => ({ to: this.labelOf(o.recipientId), bytes: o.body })),
    });
    return {
      send: {
        id,
        from,
        atMs,
        body: bodyJson(frame.body),
        seq: frame.seq,
        prevHash: toHex(frame.prevHash),
        sentAt: frame.sentAt,
        deviceListVersion: frame.deviceListVersion,
        deviceListHash: toHex(frame.deviceListHash),
        prevListVersion: frame.prevListVersion,
        acks: frame.acks.map((a) => ({
          sender: this.labelOf(a.sender),
          seq: a.seq,
          hash: toHex(a.hash),
          listVersion: a.listVersion,
        })),
        contentKeyDraw: contentKeyDraw.block,
        ...opened.json,
        alerts: result.alerts.map((a) => a.kind),
        packets,
      },
    };
  }

  async deliver(id: string, to: string, atMs: number): Promise<Record<string, unknown>> {
    const message = this.sent.get(id);
    const packet = message?.packets.find((x) => x.to === to);
    if (packet === undefined) throw new Error(`${id} has no packet for ${to}`);
    const p = this.participant(to);
    const stepName = `deliver ${id} to ${to}`;
    p.env.setStep(stepName);
    let result: ConversationStep | AgentStep;
    if (p.device === undefined) {
      if (p.state === null) throw new Error('the visitor has not started');
      result = await receiveMessage(p.state, packet.bytes, p.env.env);
    } else {
      const context = { device: p.device.keys, prekeys: p.device.prekeys, deviceList: this.account.list };
      const agentStep =
        p.state === null
          ? await openAgentConversation(packet.bytes, context, p.env.env)
          : await receiveAsAgent(p.state, packet.bytes, context, p.env.env);
      p.device.prekeys = agentStep.prekeys;
      result = agentStep;
    }
    p.state = result.state;
    const released = result.released.map((r) => {
      const from = this.labelOf(r.sender);
      const sent = [...this.sent.values()].find((s) => s.from === from && s.seq === r.seq);
      if (sent === undefined || !constantTimeEqual(sent.frameHash, r.hash))
        throw new Error(`${to} released a frame (${from} seq ${r.seq}) that the vectors did not send`);
      return { from, seq: r.seq, kind: r.body.kind, late: r.late };
    });
    return {
      deliver: {
        id,
        to,
        atMs,
        draws: p.env.draws.filter((d) => d.step === stepName).map((d) => d.block),
        released,
        alerts: result.alerts.map((a) => a.kind),
      },
    };
  }

  drawsJson(): Record<string, unknown> {
    const out: Record<string, unknown> = { account: this.account.env.draws };
    for (const p of this.participants.values()) out[p.label] = p.env.draws;
    return out;
  }

  sessionsJson(): Record<string, unknown>[] {
    return [...this.sessions.values()].map((s) => s.json);
  }
}

export async function runVectorScript(inputs: VectorInputs): Promise<ConversationVectors> {
  const clock = vectorClock(inputs.clockStartMs);
  const account = await createVectorAccount(inputs, clock);
  // The directory's bundles are taken once, before any first contact consumes a one-time prekey.
  const visitorBundles = inputs.visitorBundles.map((b) => bundleFor(account, b));
  const siblingBundles = new Map(
    Object.entries(inputs.siblingBundles).map(([label, list]) => [label, list.map((b) => bundleFor(account, b))]),
  );
  const bundles = {
    visitor: inputs.visitorBundles.map((b) => bundleJson(account, b)),
    siblings: Object.fromEntries(
      Object.entries(inputs.siblingBundles).map(([label, list]) => [label, list.map((b) => bundleJson(account, b))]),
    ),
  };
  const run = new ScriptRun(inputs, clock, account, siblingBundles);
  const conversation = await run.start(visitorBundles);
  const steps: Record<string, unknown>[] = [];
  for (const step of inputs.steps) {
    clock.set(inputs.clockStartMs + step.atMs);
    if ('send' in step) steps.push(await run.send(step.send.id, step.send.from, step.atMs, step.send.body));
    else steps.push(await run.deliver(step.deliver.id, step.deliver.to, step.atMs));
  }
  return {
    account,
    bundles,
    conversation,
    sessions: run.sessionsJson(),
    steps,
    draws: run.drawsJson(),
  };
}
