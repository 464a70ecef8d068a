/**
 * The protocol CPU benchmark itself, engine-agnostic (no Node built-ins, no DOM): it runs in Node
 * (scripts/bench-crypto.ts) and, bundled by esbuild, inside Chromium (bench-crypto-page.ts).
 * The caller supplies the meter: Node measures process CPU time and wall time; the page can
 * only measure wall time (performance.now), which on an otherwise idle single-threaded page is
 * used as the CPU proxy.
 * - first contact: the visitor verifies N bundles, runs N X3DHs and sends its first message to
 *   N agent devices; and what one agent device spends opening it;
 * - per message: a visitor message to N devices, and one agent device receiving it.
 */
import { secureRandom } from '../shared/crypto/index.js';
import {
  createAccountIdentity,
  openAgentConversation,
  receiveAsAgent,
  sendMessage,
  startVisitorConversation,
  type AgentContext,
  type ConversationDeviceList,
  type ConversationState,
  createDeviceKeys,
  deviceEntryOf,
  createFirstDeviceList,
  conversationListOfSigned,
  type ProtocolEnv,
  type PrekeyBundle,
  createPrekeyState,
  prekeyBundleOf,
} from '../shared/protocol/index.js';

/** One measurement: `cpuMs` is CPU time where the engine can tell it, else wall time (the proxy). */
export interface Sample {
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** Starts a measurement; calling the returned function ends it. */
export type Meter = () => () => Sample;

export interface BenchRow {
  readonly devices: number;
  readonly firstContactVisitor: Sample;
  readonly firstContactAgent: Sample;
  readonly messageVisitor: Sample;
  readonly messageAgent: Sample;
}

export interface BenchOptions {
  readonly rounds: number;
  readonly deviceCounts: readonly number[];
  readonly meter: Meter;
}

const env: ProtocolEnv = { rng: secureRandom, now: () => Date.now() };

async function measure(meter: Meter, action: () => Promise<void>): Promise<Sample> {
  const stop = meter();
  await action();
  return stop();
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? 0) + hi) / 2;
}

/** Median per field: a shared, noisy machine makes single rounds spike (GC, other processes). */
function median(samples: readonly Sample[]): Sample {
  return { cpuMs: medianOf(samples.map((s) => s.cpuMs)), wallMs: medianOf(samples.map((s) => s.wallMs)) };
}

interface Account {
  readonly list: ConversationDeviceList;
  readonly contexts: AgentContext[];
  readonly bundles: PrekeyBundle[];
}

async function account(devices: number): Promise<Account> {
  const { identity } = await createAccountIdentity(env);
  const agentId = env.rng(16);
  const keys = await Promise.all(Array.from({ length: devices }, () => createDeviceKeys(env)));
  const profile = { agentId, agentName: 'Ada', kind: 'extension', role: 'owner' } as const;
  const entries = await Promise.all(keys.map((k) => deviceEntryOf(k, profile, identity.accountId)));
  const signed = await createFirstDeviceList(identity, { devices: entries }, env);
  const list = await conversationListOfSigned(signed, identity.signing.publicKey);
  const contexts: AgentContext[] = [];
  for (const device of keys)
    contexts.push({ device, prekeys: await createPrekeyState(device, env, 0), deviceList: list });
  return { list, contexts, bundles: contexts.map((c) => prekeyBundleOf(c.prekeys)) };
}

interface RoundSamples {
  readonly firstContactVisitor: Sample;
  readonly firstContactAgent: Sample;
  readonly messageVisitor: Sample;
  readonly messageAgent: Sample;
}

/**
 * One round against a FRESH account (made outside the measurement), so no engine or key cache
 * has seen its keys: the visitor's first contact is measured as a new visitor meets it.
 */
async function benchRound(devices: number, meter: Meter): Promise<RoundSamples> {
  const acc = await account(devices);
  const first = acc.contexts[0];
  if (first === undefined) throw new Error('no device');
  let visitor: ConversationState | undefined;
  let firstPacket: Uint8Array | undefined;
  const firstContactVisitor = await measure(meter, async () => {
    visitor = (await startVisitorConversation(acc.list, acc.bundles, env)).state;
    const step = await sendMessage(visitor, { kind: 'text', text: 'Hello, I have a question about my order.' }, env);
    visitor = step.state;
    firstPacket = step.outgoing[0]?.body;
  });
  if (visitor === undefined || firstPacket === undefined) throw new Error('no first contact');
  let agent: ConversationState | undefined;
  const packet = firstPacket;
  const firstContactAgent = await measure(meter, async () => {
    agent = (await openAgentConversation(packet, first, env)).state;
  });
  if (agent === undefined) throw new Error('no agent state');
  let next: Uint8Array | undefined;
  const v = visitor;
  const messageVisitor = await measure(meter, async () => {
    const step = await sendMessage(v, { kind: 'text', text: 'It is order 1234, placed last Tuesday.' }, env);
    next = step.outgoing[0]?.body;
  });
  if (next === undefined) throw new Error('no message');
  const a = agent;
  const n = next;
  const messageAgent = await measure(meter, async () => {
    await receiveAsAgent(a, n, first, env);
  });
  return { firstContactVisitor, firstContactAgent, messageVisitor, messageAgent };
}

async function benchDevices(devices: number, rounds: number, meter: Meter): Promise<BenchRow> {
  const samples: RoundSamples[] = [];
  for (let round = 0; round < rounds; round++) samples.push(await benchRound(devices, meter));
  return {
    devices,
    firstContactVisitor: median(samples.map((s) => s.firstContactVisitor)),
    firstContactAgent: median(samples.map((s) => s.firstContactAgent)),
    messageVisitor: median(samples.map((s) => s.messageVisitor)),
    messageAgent: median(samples.map((s) => s.messageAgent)),
  };
}

/** Runs unmeasured warm-up rounds (JIT tiers), then every device count in turn: medians of `rounds` rounds each. */
export async function runProtocolBench(options: BenchOptions): Promise<BenchRow[]> {
  const noMeter: Meter = () => () => ({ cpuMs: 0, wallMs: 0 });
  await benchDevices(5, 4, noMeter);
  const rows: BenchRow[] = [];
  for (const devices of options.deviceCounts) rows.push(await benchDevices(devices, options.rounds, options.meter));
  return rows;
}
