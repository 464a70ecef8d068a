/**
 * `npx tsx scripts/bench/conversation-step.ts [messages] [devices]` (issue #11): what one step of a
 * conversation costs early and late in it. A visitor runtime and an account's agent devices (default
 * 5: the first made by createAccount, the others linked; memory stores, as the e2e bench) on a real
 * relay process; after a warm-up conversation of 30 messages (so #10 is not the JIT's first laps), the
 * visitor of a new conversation sends `messages` texts one after another (default 620). For the
 * messages around #10 and around #600 it prints the median time of the visitor's send step
 * (`sendText`: protocol step, commit, outbox) and of send → shown on every agent device, and this
 * process's CPU per message in each window. A step whose cost grows with the conversation's length
 * shows as a late/early ratio above 1. Figures only: nothing here asserts a time.
 */
import { performance } from 'node:perf_hooks';
import {
  type AgentHandle,
  agentRuntime,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
} from '../../test/runtime/support/runtime-world.js';
import { makeDataDir, startRelayProcess } from '../../test/relay/support/relay-process.js';
import { percentile } from './stats.js';

const WINDOW = 10;
const EARLY = 10;
const LATE = 600;
const WARM_UP = 30;

interface Sample {
  readonly sendMs: number;
  readonly shownMs: number;
  readonly cpuMs: number;
}

function summary(samples: readonly Sample[]): { send: number; shown: number; cpu: number } {
  return {
    send: percentile(
      samples.map((s) => s.sendMs),
      50,
    ),
    shown: percentile(
      samples.map((s) => s.shownMs),
      50,
    ),
    cpu: samples.reduce((sum, s) => sum + s.cpuMs, 0) / samples.length,
  };
}

/** Sends `total` messages in a new conversation; the samples of the messages in each window. */
async function conversation(
  origin: string,
  account: { readonly accountId: string; readonly pin: string },
  agents: readonly AgentHandle[],
  total: number,
): Promise<Map<number, Sample[]>> {
  const visitor = visitorRuntime(origin, account.accountId, account.pin);
  await visitor.runtime.start();
  await visitor.runtime.openConversation();
  const shown = new Map<string, number[]>();
  const stops = agents.map((a) =>
    a.runtime.on('message', (m) => {
      shown.set(m.id, [...(shown.get(m.id) ?? []), performance.now()]);
    }),
  );
  const windows = new Map<number, Sample[]>([
    [EARLY, []],
    [LATE, []],
  ]);
  for (let n = 1; n <= total; n++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const id = await visitor.runtime.sendText(`message ${n}`);
    const sendMs = performance.now() - t0;
    await waitFor(() => (shown.get(id)?.length ?? 0) >= agents.length, `message ${n} at every device`, 30_000);
    const used = process.cpuUsage(cpu);
    const last = Math.max(...(shown.get(id) ?? [t0]));
    const sample = { sendMs, shownMs: last - t0, cpuMs: (used.user + used.system) / 1000 };
    for (const [at, list] of windows) if (Math.abs(n - at) < WINDOW / 2 + 1 && list.length < WINDOW) list.push(sample);
    if (n % 100 === 0) process.stderr.write(`conversation-step: ${n} messages\n`);
  }
  for (const stop of stops) stop();
  visitor.runtime.dispose();
  return windows;
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? LATE + WINDOW + 10);
  const devices = Number(process.argv[3] ?? 5);
  const data = makeDataDir();
  const relay = await startRelayProcess(data.dir, {
    SEALDESK_MESSAGES_PER_SECOND: '100000',
    SEALDESK_CONVERSATIONS_PER_HOUR: '1000',
    SEALDESK_LOG_LEVEL: 'warn',
  });
  const owner = agentRuntime();
  const agents: AgentHandle[] = [owner];
  try {
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    const accountId = (await owner.runtime.status()).accountId ?? '';
    while (agents.length < devices) agents.push(await link(relay.origin, owner));
    await conversation(relay.origin, { accountId, pin }, agents, WARM_UP);
    const windows = await conversation(relay.origin, { accountId, pin }, agents, total);
    const early = summary(windows.get(EARLY) ?? []);
    const late = summary(windows.get(LATE) ?? []);
    const line = (label: string, a: number, b: number): string =>
      `${label.padEnd(34)}${a.toFixed(2).padStart(10)}${b.toFixed(2).padStart(12)}${(b / a).toFixed(2).padStart(9)}`;
    process.stdout.write(
      [
        `One conversation step, visitor → ${devices} agent device(s), medians of ${WINDOW} messages around #${EARLY} and #${LATE}`,
        `${''.padEnd(34)}${`#${EARLY}`.padStart(10)}${`#${LATE}`.padStart(12)}${'late/early'.padStart(11)}`,
        line('visitor send step (sendText) ms', early.send, late.send),
        line('send → shown on every device ms', early.shown, late.shown),
        line('CPU ms per message (this process)', early.cpu, late.cpu),
        '',
      ].join('\n'),
    );
  } finally {
    for (const a of agents) a.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  }
}

await main();
