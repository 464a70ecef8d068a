/** Command line of `npm run bench -- [--quick] [--json] [--pairs …] [--sizes …] [--help]`. */
import { BenchError } from './bench-error.js';

export interface BenchOptions {
  readonly quick: boolean;
  readonly json: boolean;
  readonly help: boolean;
  /** Two relay nodes on PostgreSQL against one node and the SQLite relay (cluster-phase.ts). */
  readonly cluster: boolean;
  /** Instead: end-to-end latency through the runtimes (e2e-phase.ts). */
  readonly e2e: boolean;
  /** Replace the plan's sender/receiver pair counts (a focused run). */
  readonly pairs?: readonly number[];
  /** Replace the plan's frame sizes. */
  readonly sizes?: readonly number[];
  readonly repetitions?: number;
  /** Skip the 1 → N fan-out group. */
  readonly noFanout: boolean;
  /** Skip the idle-memory phase. */
  readonly noIdle: boolean;
  /** Extra Node options for the relay process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). */
  readonly relayNodeOptions: readonly string[];
}

export const USAGE = [
  'Usage: npm run bench -- [--quick] [--json] [--cluster | --e2e] [--pairs 1,100] [--sizes 256] [--repetitions N]',
  '                        [--no-fanout] [--no-idle] [--relay-node-options "--cpu-prof"]',
  '',
  'Starts a bare ws forwarder and the real relay (SQLite in a temporary directory), each in its own',
  'process, and drives both from a separate load-generator process on 127.0.0.1. Prints delivered',
  "messages/s, p50/p99 latency at 50% of each one's maximum rate, relay CPU per delivered message,",
  'idle memory per connection, and the ratio real/bare for each. See docs/OPERATIONS.md, "Benchmark".',
  '',
  '  --quick               about one minute: 1 repetition, K = 1, 10, 100 pairs, 1,000 idle connections',
  '  --json                print the results as JSON on stdout (progress still goes to stderr)',
  '  --cluster             instead: two relay nodes on PostgreSQL with NATS (every delivery crosses nodes)',
  '                        against one PostgreSQL node and the SQLite relay; K = 100, 1,000 pairs, 256 B',
  '                        (--quick: 10, 100). Needs PostgreSQL on 127.0.0.1:5432 and NATS on :4222',
  '                        (SEALDESK_BENCH_PG_URL, SEALDESK_BENCH_NATS_URL to change)',
  '  --e2e                 instead: visitor keyboard → agent plaintext through the runtimes and the real',
  '                        relay, p50/p99 for 1, 5 and 20 agent devices, beside the raw relay latency',
  '  --pairs LIST          only these sender/receiver pair counts (comma-separated)',
  '  --sizes LIST          only these frame sizes in bytes (comma-separated, at least 128)',
  '  --repetitions N       repetitions of every group (default 3, --quick 1)',
  '  --no-fanout           skip the 1 → 5 fan-out group',
  '  --no-idle             skip the idle-memory phase',
  '  --relay-node-options  extra node flags for the relay process, e.g. "--cpu-prof --cpu-prof-dir=prof"',
  '  --help                this text',
  '',
  'A focused run (any of --pairs, --sizes, --repetitions, --no-*) checks the targets only against',
  'what it measured.',
  '',
].join('\n');

function positiveInts(flag: string, value: string | undefined, min: number): number[] {
  if (value === undefined) throw new BenchError(`${flag} needs a value`);
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((n) => !Number.isSafeInteger(n) || n < min)) {
    throw new BenchError(`${flag} takes comma-separated integers of at least ${min}, got "${value}"`);
  }
  return list;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const args = argv.filter((a) => a !== '--');
  let quick = false;
  let json = false;
  let help = false;
  let cluster = false;
  let e2e = false;
  let noFanout = false;
  let noIdle = false;
  let pairs: number[] | undefined;
  let sizes: number[] | undefined;
  let repetitions: number | undefined;
  let relayNodeOptions: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = (): string | undefined => args[++i];
    if (arg === '--quick') quick = true;
    else if (arg === '--json') json = true;
    else if (arg === '--cluster') cluster = true;
    else if (arg === '--e2e') e2e = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--no-fanout') noFanout = true;
    else if (arg === '--no-idle') noIdle = true;
    else if (arg === '--pairs') pairs = positiveInts(arg, next(), 1);
    else if (arg === '--sizes') sizes = positiveInts(arg, next(), 128);
    else if (arg === '--repetitions') repetitions = positiveInts(arg, next(), 1)[0];
    else if (arg === '--relay-node-options') relayNodeOptions = (next() ?? '').split(/\s+/).filter((s) => s.length > 0);
    else throw new BenchError(`unknown argument ${String(arg)} (try --help)`);
  }
  return {
    quick,
    json,
    help,
    cluster,
    e2e,
    noFanout,
    noIdle,
    relayNodeOptions,
    ...(pairs === undefined ? {} : { pairs }),
    ...(sizes === undefined ? {} : { sizes }),
    ...(repetitions === undefined ? {} : { repetitions }),
  };
}
