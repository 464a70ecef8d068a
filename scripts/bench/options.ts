/** Command line of `npm run bench -- [--quick] [--json] [--help]`. */
import { BenchError } from './bench-error.js';

export interface BenchOptions {
  readonly quick: boolean;
  readonly json: boolean;
  readonly help: boolean;
}

export const USAGE = [
  'Usage: npm run bench -- [--quick] [--json]',
  '',
  'Starts a bare ws forwarder and the real relay (SQLite in a temporary directory), each in its own',
  'process, and drives both from a separate load-generator process on 127.0.0.1. Prints delivered',
  'messages/s, p50/p99 latency at 50% of each one\'s maximum rate, relay CPU per delivered message,',
  'idle memory per connection, and the ratio real/bare for each. See docs/OPERATIONS.md, "Benchmark".',
  '',
  '  --quick  about one minute: 1 repetition, K = 1, 10, 100 pairs, 1,000 idle connections',
  '  --json   print the results as JSON on stdout (progress still goes to stderr)',
  '  --help   this text',
  '',
].join('\n');

export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let json = false;
  let help = false;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg !== '--') throw new BenchError(`unknown argument ${arg} (try --help)`);
  }
  return { quick, json, help };
}
