/**
 * A seeded world for conversation tests: one account (AIK) with N agent devices, each with its
 * device keys and prekeys, the signed device list, and a visitor. Parties keep their own state
 * and process packets only through the protocol transitions; the test plays the relay.
 */
import {
  createAccountIdentity,
  type SecurityAlert,
  type ReleasedMessage,
  openAgentConversation,
  receiveAsAgent,
  receiveMessage,
  sendMessage,
  startVisitorConversation,
  type ConversationDeviceList,
  type ConversationState,
  type OutgoingPacket,
  createDeviceKeys,
  type DeviceKeys,
  deviceEntryOf,
  createFirstDeviceList,
  conversationListOfSigned,
  type ProtocolEnv,
  type MessageBody,
  type DeviceEntry,
  type PrekeyBundle,
  createPrekeyState,
  prekeyBundleOf,
  type PrekeyState,
} from '../../shared/protocol/index.js';
import { type DeviceId, idEquals } from '../../shared/wire/index.js';
import { type ManualClock, manualClock, seededEnv } from './seeded-env.js';

export interface AgentParty {
  readonly label: string;
  readonly keys: DeviceKeys;
  readonly entry: DeviceEntry;
  readonly env: ProtocolEnv;
  prekeys: PrekeyState;
  state: ConversationState | null;
  readonly shown: ReleasedMessage[];
  readonly alerts: SecurityAlert[];
}

export interface VisitorParty {
  readonly env: ProtocolEnv;
  state: ConversationState;
  readonly shown: ReleasedMessage[];
  readonly alerts: SecurityAlert[];
}

export interface RelaylessWorld {
  readonly clock: ManualClock;
  readonly list: ConversationDeviceList;
  readonly agents: AgentParty[];
  readonly visitor: VisitorParty;
  /** Bundles as the directory serves them (the first one-time prekey of each device). */
  readonly bundles: PrekeyBundle[];
}

export async function relaylessWorld(seed: string, deviceCount = 3, oneTimePrekeys = 2): Promise<RelaylessWorld> {
  const clock = manualClock();
  const setup = seededEnv(`${seed}/setup`, clock);
  const { identity } = await createAccountIdentity(setup);
  const agentId = setup.rng(16);
  const agents: AgentParty[] = [];
  for (let i = 0; i < deviceCount; i++) {
    const env = seededEnv(`${seed}/agent-${i}`, clock);
    const keys = await createDeviceKeys(env);
    const entry = await deviceEntryOf(
      keys,
      { agentId, agentName: 'Ada', kind: i % 2 === 0 ? 'extension' : 'pwa', role: 'owner' },
      identity.accountId,
    );
    const prekeys = await createPrekeyState(keys, env, oneTimePrekeys);
    agents.push({ label: `agent-${i}`, keys, entry, env, prekeys, state: null, shown: [], alerts: [] });
  }
  const signed = await createFirstDeviceList(identity, { devices: agents.map((a) => a.entry) }, setup);
  const list = await conversationListOfSigned(signed, identity.signing.publicKey);
  const bundles = agents.map((a) => prekeyBundleOf(a.prekeys, a.prekeys.oneTime[0]?.id));
  const visitorEnv = seededEnv(`${seed}/visitor`, clock);
  const started = await startVisitorConversation(list, bundles, visitorEnv);
  return { clock, list, agents, visitor: { env: visitorEnv, state: started.state, shown: [], alerts: [] }, bundles };
}

export function siblingBundles(world: RelaylessWorld, except: DeviceId): PrekeyBundle[] {
  return world.agents.filter((a) => !idEquals(a.keys.deviceId, except)).map((a) => prekeyBundleOf(a.prekeys));
}

export async function visitorSends(world: RelaylessWorld, body: MessageBody): Promise<readonly OutgoingPacket[]> {
  const step = await sendMessage(world.visitor.state, body, world.visitor.env);
  world.visitor.state = step.state;
  return step.outgoing;
}

export async function agentSends(
  world: RelaylessWorld,
  agent: AgentParty,
  body: MessageBody,
): Promise<readonly OutgoingPacket[]> {
  if (agent.state === null) throw new Error('agent has no conversation yet');
  const step = await sendMessage(agent.state, body, agent.env, {
    device: agent.keys,
    siblingBundles: siblingBundles(world, agent.keys.deviceId),
  });
  agent.state = step.state;
  return step.outgoing;
}

/** Delivers one packet to its recipient, the way a client would: save state, then show. */
export async function deliver(world: RelaylessWorld, packet: OutgoingPacket): Promise<void> {
  if (packet.recipient.kind === 'visitor') {
    const step = await receiveMessage(world.visitor.state, packet.body, world.visitor.env);
    world.visitor.state = step.state;
    world.visitor.shown.push(...step.released);
    world.visitor.alerts.push(...step.alerts);
    return;
  }
  const agent = world.agents.find((a) => idEquals(a.keys.deviceId, packet.recipientId));
  if (agent === undefined) throw new Error('no such agent');
  await agentTakes(agent, packet.body, { device: agent.keys, prekeys: agent.prekeys, deviceList: world.list });
}

/** What an agent device holds while it takes packets; each step is applied to it. */
export type ReceivingAgent = Pick<AgentParty, 'env' | 'shown' | 'alerts' | 'prekeys' | 'state'>;

/**
 * One packet taken by an agent device: first contact when it holds no conversation yet, else a
 * later packet; the step's state, prekeys, released messages and alerts applied to it.
 */
export async function agentTakes(
  agent: ReceivingAgent,
  body: Uint8Array,
  context: Parameters<typeof receiveAsAgent>[2],
): Promise<void> {
  const step =
    agent.state === null
      ? await openAgentConversation(body, context, agent.env)
      : await receiveAsAgent(agent.state, body, context, agent.env);
  agent.state = step.state;
  agent.prekeys = step.prekeys;
  agent.shown.push(...step.released);
  agent.alerts.push(...step.alerts);
}

export async function deliverAll(world: RelaylessWorld, packets: readonly OutgoingPacket[]): Promise<void> {
  for (const p of packets) await deliver(world, p);
}

export function releasedTexts(shown: readonly ReleasedMessage[]): string[] {
  return shown.map((m) => (m.body.kind === 'text' ? m.body.text : `<${m.body.kind}>`));
}
