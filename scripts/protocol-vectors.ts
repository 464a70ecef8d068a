/**
 * Deterministic protocol vectors (docs/PROTOCOL.md §5–§7): one account with one agent device,
 * a visitor's first contact and two messages each way, produced with a seeded rng and a fixed
 * clock. `scripts/gen-protocol-vectors.ts` writes the result to test/vectors/protocol-v2.json;
 * test/vectors/protocol-vectors.test.ts regenerates it and compares byte for byte, so any wire
 * change shows up as a diff (and needs a version bump, §15).
 *
 * The rng is SHA-256(seed || "/" || counter) in 32-byte blocks: reproducible, NOT for production.
 */
import { createHash } from 'node:crypto';
import { toHex } from '../shared/crypto/index.js';
import {
  createAccountIdentity,
  openAgentConversation,
  receiveAsAgent,
  receiveMessage,
  sendMessage,
  startVisitorConversation,
  type AgentStep,
  type ConversationState,
  createDeviceKeys,
  deviceEntryOf,
  createFirstDeviceList,
  conversationListOfSigned,
  type ProtocolEnv,
  type MessageBody,
  encodePrekeyBundle,
  createPrekeyState,
  prekeyBundleOf,
} from '../shared/protocol/index.js';

export const VECTOR_CLOCK_MS = Date.UTC(2026, 10, 27, 12, 0, 0);
export const VECTOR_SEEDS = {
  account: 'sealdesk/v2/vectors/account',
  agent: 'sealdesk/v2/vectors/agent',
  visitor: 'sealdesk/v2/vectors/visitor',
} as const;

function seededEnv(seed: string): ProtocolEnv {
  let counter = 0;
  return {
    now: () => VECTOR_CLOCK_MS,
    rng: (length: number) => {
      const out = new Uint8Array(length);
      for (let offset = 0; offset < length; offset += 32) {
        const block = createHash('sha256').update(`${seed}/${counter++}`).digest();
        out.set(block.subarray(0, Math.min(32, length - offset)), offset);
      }
      return out;
    },
  };
}

export interface VectorMessage {
  readonly from: 'visitor' | 'agent';
  readonly body: { readonly kind: 'text'; readonly text: string };
  /** The envelope body (conversation packet, §7.2) as sent to the one recipient. */
  readonly packet: string;
}

export interface ProtocolVectors {
  readonly description: string;
  readonly clockMs: number;
  readonly seeds: typeof VECTOR_SEEDS;
  readonly rng: string;
  readonly signedDeviceList: { readonly body: string; readonly signature: string; readonly hash: string };
  readonly prekeyBundle: string;
  readonly conversationId: string;
  readonly visitorId: string;
  readonly agentDeviceId: string;
  readonly messages: readonly VectorMessage[];
}

const SCRIPT: readonly { from: 'visitor' | 'agent'; text: string }[] = [
  { from: 'visitor', text: 'Hello, I have a question about my order.' },
  { from: 'visitor', text: 'It is order 1234.' },
  { from: 'agent', text: 'Hi! Let me look that up.' },
  { from: 'agent', text: 'It shipped this morning.' },
];

function textOf(body: MessageBody): string {
  if (body.kind !== 'text') throw new Error(`expected a text message, got ${body.kind}`);
  return body.text;
}

export async function generateProtocolVectors(): Promise<ProtocolVectors> {
  const accountEnv = seededEnv(VECTOR_SEEDS.account);
  const agentEnv = seededEnv(VECTOR_SEEDS.agent);
  const visitorEnv = seededEnv(VECTOR_SEEDS.visitor);
  const { identity } = await createAccountIdentity(accountEnv);
  const device = await createDeviceKeys(agentEnv);
  const entry = await deviceEntryOf(
    device,
    { agentId: accountEnv.rng(16), agentName: 'Ada', kind: 'extension', role: 'owner' },
    identity.accountId,
  );
  let prekeys = await createPrekeyState(device, agentEnv, 1);
  const signed = await createFirstDeviceList(identity, { devices: [entry] }, accountEnv);
  const deviceList = await conversationListOfSigned(signed, identity.signing.publicKey);
  const bundle = prekeyBundleOf(prekeys, prekeys.oneTime[0]?.id);

  let visitor: ConversationState = (await startVisitorConversation(deviceList, [bundle], visitorEnv)).state;
  let agent: ConversationState | null = null;
  const messages: VectorMessage[] = [];
  for (const line of SCRIPT) {
    const body: MessageBody = { kind: 'text', text: line.text };
    if (line.from === 'visitor') {
      const step = await sendMessage(visitor, body, visitorEnv);
      visitor = step.state;
      const packet = step.outgoing[0];
      if (packet === undefined) throw new Error('no packet');
      const context = { device, prekeys, deviceList };
      const received: AgentStep =
        agent === null
          ? await openAgentConversation(packet.body, context, agentEnv)
          : await receiveAsAgent(agent, packet.body, context, agentEnv);
      agent = received.state;
      prekeys = received.prekeys;
      if (received.released.map((m) => textOf(m.body)).join() !== line.text)
        throw new Error('the agent did not receive the vector message');
      messages.push({ from: 'visitor', body: { kind: 'text', text: line.text }, packet: toHex(packet.body) });
    } else {
      if (agent === null) throw new Error('agent has no conversation');
      const step = await sendMessage(agent, body, agentEnv, { device, siblingBundles: [] });
      agent = step.state;
      const packet = step.outgoing[0];
      if (packet === undefined) throw new Error('no packet');
      const received = await receiveMessage(visitor, packet.body, visitorEnv);
      visitor = received.state;
      if (received.released.map((m) => textOf(m.body)).join() !== line.text)
        throw new Error('the visitor did not receive the vector message');
      messages.push({ from: 'agent', body: { kind: 'text', text: line.text }, packet: toHex(packet.body) });
    }
  }
  return {
    description:
      'Sealdesk protocol v2: first contact (X3DH) and Double Ratchet messages, two each way, between a visitor and one agent device. Regenerate with `npx tsx scripts/gen-protocol-vectors.ts`.',
    clockMs: VECTOR_CLOCK_MS,
    seeds: VECTOR_SEEDS,
    rng: 'rng(n) = concatenated SHA-256(utf8(seed + "/" + counter)) blocks, counter from 0 per party, truncated to n bytes',
    signedDeviceList: { body: toHex(signed.body), signature: toHex(signed.signature), hash: toHex(deviceList.hash) },
    prekeyBundle: toHex(encodePrekeyBundle(bundle)),
    conversationId: toHex(visitor.conversationId),
    visitorId: toHex(visitor.selfId),
    agentDeviceId: toHex(device.deviceId),
    messages,
  };
}

/** The exact text stored in test/vectors/protocol-v2.json. */
export async function protocolVectorsJson(): Promise<string> {
  return `${JSON.stringify(await generateProtocolVectors(), null, 2)}\n`;
}
