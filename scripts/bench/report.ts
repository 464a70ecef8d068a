/** The printed form of a benchmark run: one table of medians, the idle-memory lines, the targets. */
import type { IdleSample, SummaryRow, TargetCheck } from './results.js';

export interface BenchMachine {
  readonly node: string;
  readonly cpus: number;
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
}

export interface BenchReport {
  readonly plan: string;
  readonly repetitions: number;
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: BenchMachine;
  readonly rows: readonly SummaryRow[];
  readonly idle: readonly IdleSample[];
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
}

export const num = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function renderText(report: BenchReport): string {
  const out: string[] = [];
  const m = report.machine;
  out.push(
    `Sealdesk relay benchmark — ${report.plan} run, ${report.repetitions} repetition(s), medians; node ${m.node}, ${m.cpus} CPUs, ${num(report.seconds)} s`,
  );
  out.push(
    `load average (1 min) at start ${num(m.loadAverageStart[0] ?? Number.NaN, 2)}, at end ${num(m.loadAverageEnd[0] ?? Number.NaN, 2)}` +
      ((m.loadAverageStart[0] ?? 0) > m.cpus || (m.loadAverageEnd[0] ?? 0) > m.cpus
        ? ' — the machine was busy with other work: figures are noisy, compare the ratios'
        : ''),
  );
  out.push('');
  out.push(
    ...table(
      [
        'K',
        'fan-out',
        'frame',
        'bare msg/s',
        'relay msg/s',
        'ratio',
        'bare dlv/CPU-s',
        'relay dlv/CPU-s',
        'ratio',
        'relay µs CPU/msg',
        'bare p50/p99 ms',
        'relay p50/p99 ms',
        'gen cores b/r',
        'problems',
      ],
      report.rows.map((r) => [
        String(r.pairs),
        `1→${r.fanout}`,
        `${r.frameBytes} B`,
        num(r.bare.msgsPerSecond),
        num(r.relay.msgsPerSecond),
        num(r.ratio.msgsPerSecond, 2),
        num(r.bare.deliveriesPerServerCpuSecond),
        num(r.relay.deliveriesPerServerCpuSecond),
        num(r.ratio.deliveriesPerCpuSecond, 2),
        num(r.relay.serverCpuMicrosPerMessage, 1),
        `${num(r.bare.p50Ms, 2)} / ${num(r.bare.p99Ms, 2)}`,
        `${num(r.relay.p50Ms, 2)} / ${num(r.relay.p99Ms, 2)}`,
        `${num(r.bare.generatorCores, 2)}/${num(r.relay.generatorCores, 2)}`,
        String(r.bare.problems + r.relay.problems),
      ]),
    ),
  );
  out.push('');
  for (const i of report.idle) {
    out.push(
      `idle ${i.target.padEnd(5)}: ${num(i.connections)} connections, RSS ${num(i.rssBefore / 2 ** 20, 1)} → ${num(i.rssAfter / 2 ** 20, 1)} MiB, ` +
        `${num(i.bytesPerConnection / 1024, 2)} KiB per connection (second half alone: ${num(i.marginalBytesPerConnection / 1024, 2)} KiB)`,
    );
  }
  const relayIdle = report.idle.find((i) => i.target === 'relay');
  const bareIdle = report.idle.find((i) => i.target === 'bare');
  if (relayIdle !== undefined && bareIdle !== undefined) {
    out.push(`idle ratio relay/bare: ${num(relayIdle.bytesPerConnection / bareIdle.bytesPerConnection, 2)}`);
  }
  out.push('');
  out.push('Targets:');
  for (const t of report.targets) {
    const verdict = t.met === null ? 'NOT MEASURED' : t.met ? 'met' : 'MISSED';
    out.push(`  [${verdict}] ${t.target}: ${t.measured}`);
  }
  out.push('');
  out.push(...report.notes.map((n) => `note: ${n}`));
  return `${out.join('\n')}\n`;
}
