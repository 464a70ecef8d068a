/**
 * CPU time and resident memory of a process, read from Linux /proc (proc(5)): utime + stime
 * (fields 14 and 15 of /proc/<pid>/stat, in clock ticks) and VmRSS of /proc/<pid>/status.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BenchError } from './bench-error.js';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const text = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    ticksPerSecond = /^\d+$/.test(text) ? Number(text) : 100;
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after it start past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new BenchError(`cannot parse /proc/${pid}/stat`);
  return (utime + stime) / clockTicks();
}

/**
 * CPU seconds used since `before` by a group of processes (a relay's nodes and the PostgreSQL
 * backends serving them). A process that exited in between counts what it had used at `before`
 * (its last seconds are lost, so keep the group's processes alive across a run).
 */
export function groupCpu(pids: readonly number[]): () => number {
  const read = (pid: number): number | undefined => {
    try {
      return cpuSeconds(pid);
    } catch {
      return undefined;
    }
  };
  const before = pids.map(read);
  return () => pids.reduce((sum, pid, i) => sum + ((read(pid) ?? before[i] ?? 0) - (before[i] ?? 0)), 0);
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (m?.[1] === undefined) throw new BenchError(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}
