/**
 * `npm run bench -- --e2e` (issue #11 item 5): visitor keyboard → agent device plaintext through the
 * real relay on loopback. A visitor runtime and an account's agent runtimes (the first device made
 * by createAccount, the others linked) run in this process against one relay process; for 1, 5 and
 * 20 agent devices the visitor sends messages one after another, and each latency is from
 * `sendText` being called to the `message` event on one agent device (every device counted). Beside
 * it, in the same run, the relay's raw latency: shared/transport alone, an envelope committed to
 * the visitor's outbox → delivered to one device, no crypto. All runtimes share this process's CPU.
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
import { MemoryDatabase, type StateShapes, openMemoryStore } from '../../shared/storage/index.js';
import { type DeliveryHandler, type Hello, RelayConnection, systemTimers } from '../../shared/transport/index.js';
import {
  SocketTracker,
  deviceHello,
  envelopeTo,
  visitorHello,
  world,
} from '../../test/transport/support/transport-fixture.js';
import { percentile } from './stats.js';

export interface E2eRow {
  readonly devices: number;
  readonly messages: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rawP50Ms: number;
  readonly rawP99Ms: number;
  /** This process's CPU (user + system, WebCrypto's thread pool included) per measured message, all runtimes. */
  readonly cpuMsPerMessage: number;
}

const DEVICE_COUNTS = [1, 5, 20] as const;

/** Resolves when `check()` holds, re-checked on every `poke()` (no polling interval in the figures). */
class Waiter {
  #pending: { check: () => boolean; done: () => void } | undefined;

  until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.#pending = {
        check,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  poke(): void {
    const p = this.#pending;
    if (p?.check() === true) {
      this.#pending = undefined;
      p.done();
    }
  }
}

async function rawLatencies(origin: string, wsUrl: string, count: number): Promise<number[]> {
  const w = await world(origin, 1);
  const [device] = w.devices;
  if (device === undefined) throw new Error('no device');
  const waiter = new Waiter();
  let received = 0;
  const connect = (hello: Hello, onDeliver: DeliveryHandler<StateShapes>): RelayConnection => {
    const connection = new RelayConnection({
      url: wsUrl,
      WebSocket: new SocketTracker().WebSocket,
      timers: systemTimers,
      hello,
      store: openMemoryStore(new MemoryDatabase()),
      onDeliver,
      tuning: { heartbeatMs: 0 },
    });
    connection.start();
    return connection;
  };
  const receiver = connect(deviceHello(device), async (_, save) => {
    await save();
    received += 1;
    waiter.poke();
  });
  const sender = connect(visitorHello(w.conversation), () => Promise.resolve());
  await waitFor(() => receiver.status === 'ready' && sender.status === 'ready', 'raw ready');
  const latencies: number[] = [];
  for (let i = 0; i < count + 5; i++) {
    const before = received;
    const t0 = performance.now();
    await sender.commit({ outbox: [{ envelope: envelopeTo(w.conversationId, device, `raw ${i}`) }] });
    await waiter.until(() => received > before, 10_000, 'a raw delivery');
    if (i >= 5) latencies.push(performance.now() - t0);
  }
  await receiver.stop();
  await sender.stop();
  return latencies;
}

async function e2eLatencies(
  origin: string,
  accountId: string,
  pin: string,
  agents: readonly AgentHandle[],
  count: number,
): Promise<{ latencies: number[]; cpuMsPerMessage: number }> {
  const visitor = visitorRuntime(origin, accountId, pin);
  await visitor.runtime.start();
  await visitor.runtime.openConversation();
  const arrived = new Map<string, number[]>();
  const waiter = new Waiter();
  const stops = agents.map((a) =>
    a.runtime.on('message', (m) => {
      const list = arrived.get(m.id) ?? [];
      list.push(performance.now());
      arrived.set(m.id, list);
      waiter.poke();
    }),
  );
  const latencies: number[] = [];
  let cpuAtStart = process.cpuUsage();
  for (let i = 0; i < count + 5; i++) {
    if (i === 5) cpuAtStart = process.cpuUsage();
    const t0 = performance.now();
    const id = await visitor.runtime.sendText(`bench message ${i}`);
    await waiter.until(() => (arrived.get(id)?.length ?? 0) >= agents.length, 30_000, 'every device');
    if (i >= 5) for (const t of arrived.get(id) ?? []) latencies.push(t - t0);
  }
  const cpu = process.cpuUsage(cpuAtStart);
  for (const stop of stops) stop();
  visitor.runtime.dispose();
  return { latencies, cpuMsPerMessage: (cpu.user + cpu.system) / 1000 / count };
}

export async function e2ePhase(quick: boolean, log: (line: string) => void): Promise<E2eRow[]> {
  const count = quick ? 30 : 200;
  const data = makeDataDir();
  const relay = await startRelayProcess(data.dir, {
    SEALDESK_MESSAGES_PER_SECOND: '100000',
    SEALDESK_CONVERSATIONS_PER_HOUR: '1000',
    SEALDESK_LOG_LEVEL: 'warn',
  });
  const agents: AgentHandle[] = [];
  try {
    const owner = agentRuntime();
    agents.push(owner);
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    const accountId = (await owner.runtime.status()).accountId ?? '';
    const rows: E2eRow[] = [];
    for (const devices of DEVICE_COUNTS) {
      while (agents.length < devices) agents.push(await link(relay.origin, owner));
      log(`e2e: ${devices} agent device(s), ${count} messages`);
      const { latencies: e2e, cpuMsPerMessage } = await e2eLatencies(relay.origin, accountId, pin, agents, count);
      const raw = await rawLatencies(relay.origin, relay.wsUrl, count);
      rows.push({
        devices,
        messages: count,
        p50Ms: percentile(e2e, 50),
        p99Ms: percentile(e2e, 99),
        rawP50Ms: percentile(raw, 50),
        rawP99Ms: percentile(raw, 99),
        cpuMsPerMessage,
      });
    }
    return rows;
  } finally {
    for (const a of agents) a.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  }
}

export function renderE2e(rows: readonly E2eRow[]): string {
  const lines = [
    'Sealdesk end-to-end latency: visitor sendText → plaintext on each agent device (loopback, one process for all runtimes)',
    '',
    'devices  messages  e2e p50 ms  e2e p99 ms  raw relay p50 ms  raw relay p99 ms  p50 / raw p50  p99 / raw p99  CPU ms / message',
  ];
  for (const r of rows) {
    lines.push(
      [
        String(r.devices).padStart(7),
        String(r.messages).padStart(9),
        r.p50Ms.toFixed(2).padStart(11),
        r.p99Ms.toFixed(2).padStart(11),
        r.rawP50Ms.toFixed(2).padStart(17),
        r.rawP99Ms.toFixed(2).padStart(17),
        (r.p50Ms / r.rawP50Ms).toFixed(1).padStart(14),
        (r.p99Ms / r.rawP99Ms).toFixed(1).padStart(14),
        r.cpuMsPerMessage.toFixed(2).padStart(17),
      ].join(' '),
    );
  }
  lines.push(
    '',
    'Targets (issue #11 item 5): p50 ≤ 2 × raw p50 + the crypto cost of `npm run bench:crypto` at that device',
    'count (not measured here), p99 ≤ 50 ms. Raw: shared/transport only, visitor outbox → one device, no crypto.',
    'CPU ms / message: this process (every runtime, WebCrypto threads included; not the relay) per measured message,',
    'the figure that least depends on how busy the machine is.',
    '',
  );
  return lines.join('\n');
}
