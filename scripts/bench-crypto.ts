/**
 * `npm run bench:crypto`: CPU cost of the end-to-end protocol (bench-crypto-core.ts), in Node and
 * inside real headless Chromium.
 * - Node: process.cpuUsage (user + system, all threads, so WebCrypto work on the thread pool
 *   counts), plus wall time (latency) for the same runs.
 * - Chromium: performance.now() wall time of a single-threaded page run, as the CPU proxy (a
 *   page cannot read its CPU time).
 * Every figure is followed by its ratio to the 1-device row of the same run: the machine is
 * shared and noisy, so compare ratios (and engines) rather than absolute milliseconds.
 * A benchmark prints figures; nothing here is asserted (docs/ARCHITECTURE.md, tests).
 * Usage: npm run bench:crypto [-- --rounds 20] [-- --node-only]
 */
import { runBrowserBench } from './bench-crypto-browser.js';
import { type Meter, runProtocolBench } from './bench-crypto-core.js';
import { formatTable } from './bench-crypto-table.js';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    [
      'Usage: npm run bench:crypto [-- --rounds N] [-- --node-only]',
      'Prints first-contact and per-message milliseconds for 1, 5 and 20 agent devices, in Node',
      '(CPU time and wall time) and in headless Chromium (wall time as the CPU proxy), each with its',
      'ratio to the 1-device row. --node-only skips Chromium.',
    ].join('\n'),
  );
  process.exit(0);
}
const roundsArg = args.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(args[roundsArg + 1] ?? '10') : 10;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('--rounds needs a positive whole number');
  process.exit(2);
}
const NODE_ONLY = args.includes('--node-only');
const DEVICE_COUNTS = [1, 5, 20];

const nodeMeter: Meter = () => {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  return () => {
    const d = process.cpuUsage(cpu);
    return { cpuMs: (d.user + d.system) / 1000, wallMs: performance.now() - wall };
  };
};

const nodeRows = await runProtocolBench({ rounds: ROUNDS, deviceCounts: DEVICE_COUNTS, meter: nodeMeter });
console.log(
  `Node ${process.version}: CPU ms (process.cpuUsage, user + system, all threads), median of ${ROUNDS} rounds, a fresh account each; (Nx) = ratio to the 1-device row`,
);
console.log('');
for (const line of formatTable(nodeRows, (s) => s.cpuMs)) console.log(line);
console.log('');
console.log(`Node ${process.version}: wall ms (latency) of the same runs`);
console.log('');
for (const line of formatTable(nodeRows, (s) => s.wallMs)) console.log(line);
console.log('');

if (!NODE_ONLY) {
  const browser = await runBrowserBench(ROUNDS, DEVICE_COUNTS).catch((error: unknown) => {
    console.error(`The Chromium run failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error('Install Chromium (see docs: toolchain) or set CHROMIUM_PATH, or pass --node-only.');
    process.exit(1);
  });
  console.log(
    `Chromium ${browser.version}: wall ms of a single-threaded page run (performance.now, the CPU proxy), median of ${ROUNDS} rounds`,
  );
  console.log('');
  for (const line of formatTable(browser.rows, (s) => s.cpuMs)) console.log(line);
  console.log('');
}
console.log('visitor first contact = verify N prekey bundles + N X3DH + first message fanned out to N devices');
console.log('per message = one body encryption + N ratchet steps (send), one ratchet step + body decryption (receive)');
