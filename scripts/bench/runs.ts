/**
 * The two kinds of measured run over a connected Topology.
 *
 * - maxRate: closed loop. Each sender keeps at most `window` frames in flight (sent, not yet
 *   delivered); a delivery lets it send the next. Stops at `maxMessages` sent or `maxMs`, then
 *   waits (≤ drainMs) for the frames in flight. Rate = delivered / (last delivery − first send).
 * - paced: open loop at a fixed total rate, frames spread round-robin over senders and their
 *   receivers. Latency is measured from the INTENDED send time (t0 + i / rate), so a late timer
 *   or a busy generator counts against the result instead of hiding it (no coordinated omission).
 *   The first `settleMs` of the run load the server at the same rate but are not measured: the
 *   run follows a saturating max-rate run, and the latency at 50% load is the steady state's,
 *   not the time the server takes to work off the previous run (a checkpoint, a major GC).
 *
 * Both read the server's CPU time from /proc around the run, and the generator's own with
 * process.cpuUsage().
 */
import { groupCpu } from './proc-stats.js';
import type { Topology } from './topology.js';

export interface RunLimits {
  readonly maxMessages: number;
  readonly maxMs: number;
  readonly drainMs: number;
  /** paced only: an unmeasured lead-in at the same rate (see above). */
  readonly settleMs?: number;
}

export interface RunResult {
  readonly sent: number;
  readonly delivered: number;
  readonly seconds: number;
  readonly rate: number;
  readonly serverCpuSeconds: number;
  readonly generatorCpuSeconds: number;
  readonly latenciesMs: readonly number[];
}

interface Clock {
  readonly t0: number;
  readonly serverCpu: () => number;
  readonly genCpu0: NodeJS.CpuUsage;
}

/** The server is one process, or a group (relay nodes and their database backends). */
function startClock(serverPids: readonly number[]): Clock {
  return { serverCpu: groupCpu(serverPids), genCpu0: process.cpuUsage(), t0: performance.now() };
}

function finish(clock: Clock, sent: number, delivered: number, lastDelivery: number, latenciesMs: number[]): RunResult {
  const seconds = Math.max(1e-6, (lastDelivery - clock.t0) / 1000);
  const gen = process.cpuUsage(clock.genCpu0);
  return {
    sent,
    delivered,
    seconds,
    rate: delivered / seconds,
    serverCpuSeconds: clock.serverCpu(),
    generatorCpuSeconds: (gen.user + gen.system) / 1e6,
    latenciesMs,
  };
}

/** Resolves when `done()` is true (checked on each delivery and every 5 ms) or after `ms`. */
function waitUntil(done: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    const poll = setInterval(() => {
      if (done() || performance.now() - started > ms) {
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
}

export async function maxRate(
  topology: Topology,
  serverPids: readonly number[],
  window: number,
  limits: RunLimits,
): Promise<RunResult> {
  const { senders, fanout } = topology;
  const inFlight = new Array<number>(senders).fill(0);
  const nextSlot = new Array<number>(senders).fill(0);
  let sent = 0;
  let delivered = 0;
  let sending = true;
  let lastDelivery = 0;
  const clock = startClock(serverPids);
  const topUp = (s: number): void => {
    while (sending && (inFlight[s] ?? 0) < window && sent < limits.maxMessages) {
      const slot = nextSlot[s] ?? 0;
      nextSlot[s] = (slot + 1) % fanout;
      inFlight[s] = (inFlight[s] ?? 0) + 1;
      sent += 1;
      topology.send(s, slot, performance.now());
    }
  };
  topology.onDelivery = (s) => {
    delivered += 1;
    lastDelivery = performance.now();
    inFlight[s] = (inFlight[s] ?? 1) - 1;
    topUp(s);
  };
  for (let s = 0; s < senders; s++) topUp(s);
  await waitUntil(() => sent >= limits.maxMessages, limits.maxMs);
  sending = false;
  await waitUntil(() => delivered >= sent, limits.drainMs);
  topology.onDelivery = () => undefined;
  return finish(clock, sent, delivered, lastDelivery || performance.now(), []);
}

export async function paced(
  topology: Topology,
  serverPids: readonly number[],
  rate: number,
  limits: RunLimits,
): Promise<RunResult> {
  const { senders, fanout } = topology;
  const settling = Math.floor((rate * (limits.settleMs ?? 0)) / 1000);
  const total = settling + Math.max(1, Math.min(limits.maxMessages, Math.floor((rate * limits.maxMs) / 1000)));
  const latencies: number[] = [];
  let sent = 0;
  let delivered = 0;
  let lastDelivery = 0;
  const clock = startClock(serverPids);
  const measuredFrom = clock.t0 + (settling * 1000) / rate;
  topology.onDelivery = (_s, sentAt) => {
    delivered += 1;
    lastDelivery = performance.now();
    if (sentAt >= measuredFrom) latencies.push(lastDelivery - sentAt);
  };
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - clock.t0) * rate) / 1000));
      while (sent < due) {
        const sender = sent % senders;
        const slot = Math.floor(sent / senders) % fanout;
        topology.send(sender, slot, clock.t0 + (sent * 1000) / rate);
        sent += 1;
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await waitUntil(() => delivered >= sent, limits.drainMs);
  topology.onDelivery = () => undefined;
  return finish(clock, sent - settling, delivered - settling, lastDelivery || performance.now(), latencies);
}
