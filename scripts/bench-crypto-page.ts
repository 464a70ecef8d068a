/**
 * Browser entry of `npm run bench:crypto`, bundled by esbuild and loaded into headless Chromium
 * (scripts/bench-crypto-browser.ts). A page cannot read its CPU time, so the figures are
 * performance.now() wall time of a single-threaded run on an otherwise idle page: the CPU proxy.
 * Parameters come from the query string: ?rounds=N&devices=1,5,20.
 */
import { type BenchRow, type Meter, runProtocolBench } from './bench-crypto-core.js';

declare global {
  interface Window {
    sealdeskBench?: Promise<BenchRow[]>;
  }
}

const wallMeter: Meter = () => {
  const start = performance.now();
  return () => {
    const ms = performance.now() - start;
    return { cpuMs: ms, wallMs: ms };
  };
};

const params = new URLSearchParams(window.location.search);
const rounds = Number(params.get('rounds') ?? '10');
const deviceCounts = (params.get('devices') ?? '1,5,20').split(',').map(Number);

window.sealdeskBench = runProtocolBench({ rounds, deviceCounts, meter: wallMeter });
