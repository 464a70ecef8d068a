/**
 * `npm run bench:crypto`: CPU cost of the end-to-end protocol, measured with process.cpuUsage
 * (user + system, all threads, so WebCrypto work on the thread pool counts). Prints a table:
 * - first contact: the visitor verifies N bundles, runs N X3DHs and sends its first message to
 *   N agent devices; and what one agent device spends opening it;
 * - per message: a visitor message to N devices, and one agent device receiving it.
 * A benchmark prints figures; nothing here is asserted (docs/ARCHITECTURE.md, tests).
 * Usage: npm run bench:crypto [-- --rounds 20]
 */
import { secureRandom } from '../shared/crypto/random.js';
import { createAccountIdentity } from '../shared/protocol/account-keys.js';
import { openAgentConversation, receiveAsAgent } from '../shared/protocol/conversation-receive.js';
import { sendMessage } from '../shared/protocol/conversation-send.js';
import { startVisitorConversation } from '../shared/protocol/conversation-start.js';
import type { AgentContext, ConversationDeviceList, ConversationState } from '../shared/protocol/conversation-state.js';
import { createDeviceKeys, deviceEntryOf } from '../shared/protocol/device-keys.js';
import { createFirstDeviceList, deviceListHash, verifySignedDeviceList } from '../shared/protocol/device-list.js';
import type { ProtocolEnv } from '../shared/protocol/env.js';
import type { PrekeyBundle } from '../shared/protocol/model.js';
import { createPrekeyState, prekeyBundleOf } from '../shared/protocol/prekeys.js';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('Usage: npm run bench:crypto [-- --rounds N]\nPrints first-contact and per-message CPU milliseconds for 1, 5 and 20 agent devices.');
  process.exit(0);
}
const roundsArg = args.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(args[roundsArg + 1] ?? '10') : 10;
const DEVICE_COUNTS = [1, 5, 20];
const env: ProtocolEnv = { rng: secureRandom, now: () => Date.now() };

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

async function measure(action: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await action();
  return cpuMs(start);
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
  const entries = keys.map((k) => deviceEntryOf(k, { agentId, agentName: 'Ada', kind: 'extension', role: 'owner' }));
  const signed = await createFirstDeviceList(identity, { devices: entries }, env);
  const decoded = await verifySignedDeviceList(signed, identity.signing.publicKey);
  const list = { version: decoded.version, hash: await deviceListHash(signed.body), devices: decoded.devices };
  const contexts: AgentContext[] = [];
  for (const device of keys) contexts.push({ device, prekeys: await createPrekeyState(device, env, 0), deviceList: list });
  return { list, contexts, bundles: contexts.map((c) => prekeyBundleOf(c.prekeys)) };
}

interface Row {
  devices: number;
  firstContactVisitor: number;
  firstContactAgent: number;
  messageVisitor: number;
  messageAgent: number;
}

async function benchDevices(devices: number): Promise<Row> {
  const acc = await account(devices);
  const first = acc.contexts[0];
  if (first === undefined) throw new Error('no device');
  let fcVisitor = 0;
  let fcAgent = 0;
  let msgVisitor = 0;
  let msgAgent = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let visitor: ConversationState | undefined;
    let firstPacket: Uint8Array | undefined;
    fcVisitor += await measure(async () => {
      visitor = (await startVisitorConversation(acc.list, acc.bundles, env)).state;
      const step = await sendMessage(visitor, { kind: 'text', text: 'Hello, I have a question about my order.' }, env);
      visitor = step.state;
      firstPacket = step.outgoing[0]?.body;
    });
    if (visitor === undefined || firstPacket === undefined) throw new Error('no first contact');
    let agent: ConversationState | undefined;
    const packet = firstPacket;
    fcAgent += await measure(async () => {
      agent = (await openAgentConversation(packet, first, env)).state;
    });
    if (agent === undefined) throw new Error('no agent state');
    let next: Uint8Array | undefined;
    const v = visitor;
    msgVisitor += await measure(async () => {
      const step = await sendMessage(v, { kind: 'text', text: 'It is order 1234, placed last Tuesday.' }, env);
      next = step.outgoing[0]?.body;
    });
    if (next === undefined) throw new Error('no message');
    const a = agent;
    const n = next;
    msgAgent += await measure(async () => {
      await receiveAsAgent(a, n, first, env);
    });
  }
  return { devices, firstContactVisitor: fcVisitor / ROUNDS, firstContactAgent: fcAgent / ROUNDS, messageVisitor: msgVisitor / ROUNDS, messageAgent: msgAgent / ROUNDS };
}

const rows: Row[] = [];
for (const devices of DEVICE_COUNTS) rows.push(await benchDevices(devices));

const f = (x: number): string => x.toFixed(2).padStart(10);
console.log(`Sealdesk protocol CPU cost (process.cpuUsage, mean of ${ROUNDS} rounds, Node ${process.version})`);
console.log('');
console.log('devices | first contact: visitor ms | first contact: one agent ms | message: visitor send ms | message: one agent receive ms');
console.log('--------|---------------------------|-----------------------------|--------------------------|------------------------------');
for (const r of rows) {
  console.log(`${String(r.devices).padStart(7)} | ${f(r.firstContactVisitor).padStart(25)} | ${f(r.firstContactAgent).padStart(27)} | ${f(r.messageVisitor).padStart(24)} | ${f(r.messageAgent).padStart(28)}`);
}
console.log('');
console.log('visitor first contact = verify N prekey bundles + N X3DH + first message fanned out to N devices');
console.log('per message = one body encryption + N ratchet steps (send), one ratchet step + body decryption (receive)');
