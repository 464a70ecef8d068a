/**
 * Messages between main.ts and the load-generator process (Node IPC channel of child_process.fork).
 * Each command gets exactly one reply, or an `error` reply.
 */
import type { RunLimits } from './runs.js';
import { BenchError } from './bench-error.js';

export const TARGETS = ['bare', 'relay'] as const;
/** `--cluster` (cluster-phase.ts): the relay on SQLite, one PostgreSQL node, two PostgreSQL nodes. */
export const CLUSTER_TARGETS = ['sqlite', 'pg1', 'pg2'] as const;
export type SingleTarget = (typeof TARGETS)[number];
export type ClusterTarget = (typeof CLUSTER_TARGETS)[number];
export type Target = SingleTarget | ClusterTarget;

export type Command =
  | { kind: 'provision'; origin: string; devices: number; visitors: number; population?: string }
  | {
      kind: 'connect';
      target: Target;
      /** Sender s connects to urls[s % n], its receivers to urls[(s + 1) % n]: across nodes when n > 1. */
      urls: readonly string[];
      senders: number;
      fanout: number;
      population?: string;
    }
  | {
      kind: 'measure';
      target: Target;
      /** The server's processes: their CPU time is summed. */
      serverPids: readonly number[];
      frameBytes: number;
      window: number;
      warmup: RunLimits;
      max: RunLimits;
      paced: RunLimits;
      loadFactor: number;
    }
  | { kind: 'disconnect' }
  | { kind: 'idle-prepare'; origin: string; connections: number }
  | { kind: 'idle'; target: Target; url: string; serverPid: number; connections: number; settleMs: number }
  | { kind: 'exit' };

export interface MaxSummary {
  readonly sent: number;
  readonly delivered: number;
  readonly seconds: number;
  readonly rate: number;
  readonly serverCpuSeconds: number;
  readonly generatorCpuSeconds: number;
}

export interface LatencySummary extends MaxSummary {
  readonly offeredRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export type Reply =
  | { kind: 'provisioned'; seconds: number; accounts: number }
  | { kind: 'connected'; seconds: number }
  | { kind: 'measured'; max: MaxSummary; latency: LatencySummary; problems: Record<string, number> }
  | { kind: 'disconnected' }
  | { kind: 'idle-prepared'; seconds: number }
  | {
      kind: 'idle-result';
      connections: number;
      halfway: number;
      rssBefore: number;
      rssHalf: number;
      rssAfter: number;
      connectSeconds: number;
      problems: Record<string, number>;
    }
  | { kind: 'error'; message: string };

const COMMANDS: readonly string[] = ['provision', 'connect', 'measure', 'disconnect', 'idle-prepare', 'idle', 'exit'];
const REPLIES: readonly string[] = [
  'provisioned',
  'connected',
  'measured',
  'disconnected',
  'idle-prepared',
  'idle-result',
  'error',
];

function kindOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return undefined;
  return typeof value.kind === 'string' ? value.kind : undefined;
}

/** Both ends are this benchmark's own code; the check guards against a crossed channel. */
export function asCommand(value: unknown): Command {
  const kind = kindOf(value);
  if (kind === undefined || !COMMANDS.includes(kind)) throw new BenchError(`unknown command ${kind ?? '(none)'}`);
  return value as Command;
}

export function asReply(value: unknown): Reply {
  const kind = kindOf(value);
  if (kind === undefined || !REPLIES.includes(kind)) throw new BenchError(`unknown reply ${kind ?? '(none)'}`);
  return value as Reply;
}
