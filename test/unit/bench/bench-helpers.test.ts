/**
 * The pure parts of `npm run bench` (scripts/bench/): percentiles, the envelope-body fast path
 * the load generator uses instead of a full decode, the body stamp, options and target checks.
 * No timings are asserted here: the benchmark prints figures, tests only check the arithmetic.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  asCiphertext,
  asConversationId,
  asDeviceId,
  decodeEnvelope,
  encodeEnvelope,
  encodeRelayFrame,
  LIMITS,
} from '../../../shared/wire/index.js';
import { median, percentile, ratio } from '../../../scripts/bench/stats.js';
import { envelopeBodyFast } from '../../../scripts/bench/envelope-body-fast.js';
import { STAMP_BYTES, readStamp, writeStamp } from '../../../scripts/bench/stamp.js';
import { parseOptions } from '../../../scripts/bench/options.js';
import { type SummaryRow, type SideSummary, checkTargets } from '../../../scripts/bench/results.js';
import { BenchError } from '../../../scripts/bench/bench-error.js';
import { checkClusterTargets, summariseCluster } from '../../../scripts/bench/cluster-report.js';
import type { CellSample } from '../../../scripts/bench/results.js';

describe('percentile (nearest rank)', () => {
  it('matches hand-computed values', () => {
    const samples = [15, 20, 35, 40, 50];
    expect(percentile(samples, 5)).toBe(15);
    expect(percentile(samples, 30)).toBe(20);
    expect(percentile(samples, 40)).toBe(20);
    expect(percentile(samples, 50)).toBe(35);
    expect(percentile(samples, 100)).toBe(50);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    const ten = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(percentile(ten, 12)).toBe(2);
    expect(percentile(ten, 91)).toBe(10);
    expect(percentile(ten, 90)).toBe(9);
  });

  it('p99 of 1..100 is 99 and of 1..1000 is 990', () => {
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(99);
    expect(
      percentile(
        Array.from({ length: 1000 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(990);
  });

  it('is always one of the samples and grows with p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0.001, max: 100, noNaN: true }),
        fc.double({ min: 0.001, max: 100, noNaN: true }),
        (samples, p, q) => {
          const [lo, hi] = p <= q ? [p, q] : [q, p];
          expect(samples).toContain(percentile(samples, lo));
          expect(percentile(samples, lo)).toBeLessThanOrEqual(percentile(samples, hi));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses empty input and p outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(BenchError);
    expect(() => percentile([1], 0)).toThrow(BenchError);
    expect(() => percentile([1], 101)).toThrow(BenchError);
  });
});

describe('median and ratio', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('ratio is NaN when the denominator is 0 or not finite', () => {
    expect(ratio(1, 2)).toBe(0.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
  });
});

describe('envelopeBodyFast', () => {
  const envelopeArb = fc.record({
    conversationId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    device: fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined }),
    body: fc.uint8Array({ minLength: 1, maxLength: 5000 }),
  });

  function envelopeOf(e: { conversationId: Uint8Array; device: Uint8Array | undefined; body: Uint8Array }): Uint8Array {
    return encodeEnvelope({
      conversationId: asConversationId(e.conversationId),
      recipient: e.device === undefined ? { kind: 'visitor' } : { kind: 'device', deviceId: asDeviceId(e.device) },
      body: asCiphertext(e.body),
    });
  }

  it('agrees with the strict decoder of shared/wire on every envelope', () => {
    fc.assert(
      fc.property(envelopeArb, (e) => {
        const envelope = envelopeOf(e);
        expect(envelopeBodyFast(envelope)).toEqual(decodeEnvelope(envelope).body);
      }),
      { numRuns: 300 },
    );
  });

  it('returns undefined (never a wrong body) for truncated, extended or other bytes', () => {
    fc.assert(
      fc.property(envelopeArb, fc.integer({ min: 1, max: 64 }), (e, cut) => {
        const envelope = envelopeOf(e);
        expect(envelopeBodyFast(envelope.subarray(0, Math.max(0, envelope.length - cut)))).toBeUndefined();
        const longer = new Uint8Array(envelope.length + cut);
        longer.set(envelope);
        expect(envelopeBodyFast(longer)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
    expect(envelopeBodyFast(encodeRelayFrame({ type: 'stored', requestId: 7, cursor: 9 }))).toBeUndefined();
    expect(envelopeBodyFast(new Uint8Array(0))).toBeUndefined();
  });

  it('handles the largest envelope the wire allows', () => {
    const body = new Uint8Array(LIMITS.maxEnvelopeBodyBytes).fill(7);
    const fast = envelopeBodyFast(envelopeOf({ conversationId: new Uint8Array(16), device: new Uint8Array(16), body }));
    expect(fast?.length).toBe(LIMITS.maxEnvelopeBodyBytes);
  });
});

describe('stamp', () => {
  it('round-trips time and sender at any offset', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 64 }),
        (sentAt, sender, offset) => {
          const buffer = new Uint8Array(offset + STAMP_BYTES + 3);
          writeStamp(buffer, offset, sentAt, sender);
          expect(readStamp(buffer, offset)).toEqual({ sentAt, sender });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('options', () => {
  it('parses the documented flags and refuses others', () => {
    const defaults = {
      quick: false,
      json: false,
      help: false,
      cluster: false,
      e2e: false,
      noFanout: false,
      noIdle: false,
      relayNodeOptions: [],
    };
    expect(parseOptions([])).toEqual(defaults);
    expect(parseOptions(['--', '--quick', '--json'])).toEqual({ ...defaults, quick: true, json: true });
    expect(parseOptions(['--cluster'])).toEqual({ ...defaults, cluster: true });
    // #11.5: the end-to-end run through the runtimes.
    expect(parseOptions(['--e2e', '--quick'])).toEqual({ ...defaults, e2e: true, quick: true });
    expect(parseOptions(['-h']).help).toBe(true);
    expect(() => parseOptions(['--fast'])).toThrow(BenchError);
  });

  it('parses a focused run and refuses malformed lists', () => {
    expect(
      parseOptions([
        '--pairs',
        '1,1000',
        '--sizes',
        '256',
        '--repetitions',
        '2',
        '--no-fanout',
        '--no-idle',
        '--relay-node-options',
        '--cpu-prof  --cpu-prof-dir=p',
      ]),
    ).toEqual({
      quick: false,
      json: false,
      help: false,
      cluster: false,
      e2e: false,
      noFanout: true,
      noIdle: true,
      pairs: [1, 1000],
      sizes: [256],
      repetitions: 2,
      relayNodeOptions: ['--cpu-prof', '--cpu-prof-dir=p'],
    });
    expect(() => parseOptions(['--pairs'])).toThrow(BenchError);
    expect(() => parseOptions(['--pairs', '0'])).toThrow(BenchError);
    expect(() => parseOptions(['--pairs', '10,x'])).toThrow(BenchError);
    expect(() => parseOptions(['--sizes', '64'])).toThrow(BenchError);
    expect(() => parseOptions(['--repetitions', '1.5'])).toThrow(BenchError);
  });
});

describe('checkTargets', () => {
  const sideOf = (msgsPerSecond: number, perCpu: number, p99Ms: number): SideSummary => ({
    samples: 3,
    msgsPerSecond,
    msgsPerSecondMin: msgsPerSecond,
    msgsPerSecondMax: msgsPerSecond,
    deliveriesPerServerCpuSecond: perCpu,
    serverCpuMicrosPerMessage: 1e6 / perCpu,
    serverCores: 1,
    generatorCores: 1,
    offeredRate: msgsPerSecond / 2,
    p50Ms: p99Ms / 2,
    p99Ms,
    problems: 0,
  });
  const row = (pairs: number, relay: SideSummary, bare: SideSummary): SummaryRow => ({
    pairs,
    fanout: 1,
    frameBytes: 256,
    bare,
    relay,
    ratio: {
      msgsPerSecond: relay.msgsPerSecond / bare.msgsPerSecond,
      deliveriesPerCpuSecond: relay.deliveriesPerServerCpuSecond / bare.deliveriesPerServerCpuSecond,
    },
  });
  const idle = (bytesPerConnection: number) => [
    {
      target: 'relay' as const,
      connections: 10_000,
      rssBefore: 0,
      rssAfter: bytesPerConnection * 10_000,
      bytesPerConnection,
      marginalBytesPerConnection: bytesPerConnection,
      problems: {},
    },
  ];

  it('reports met and missed from the measured figures', () => {
    // p99: at most twice the bare forwarder's p99 of the same run.
    const good = checkTargets([row(1000, sideOf(600, 700, 20), sideOf(1000, 1000, 10))], idle(9 * 1024));
    expect(good.map((c) => c.met)).toEqual([true, true, true, true]);
    const bad = checkTargets([row(1000, sideOf(400, 500, 2.1), sideOf(1000, 1000, 1))], idle(9 * 1024 + 1));
    expect(bad.map((c) => c.met)).toEqual([false, false, false, false]);
  });

  it('says "not measured" when no 1,000-pair row or no 10,000-connection idle run exists', () => {
    const checks = checkTargets([row(100, sideOf(600, 700, 1.5), sideOf(1000, 1000, 1))], []);
    expect(checks.map((c) => c.met)).toEqual([null, null, true, null]);
    const few = idle(20 * 1024).map((i) => ({ ...i, connections: 1_000 }));
    expect(checkTargets([], few)[3]?.met).toBeNull();
  });
});

describe('cluster targets (--cluster)', () => {
  const sample = (target: 'sqlite' | 'pg1' | 'pg2', pairs: number, rate: number, p99Ms: number): CellSample => {
    const run = { sent: rate, delivered: rate, seconds: 1, rate, serverCpuSeconds: 0.5, generatorCpuSeconds: 0.1 };
    return {
      repetition: 1,
      target,
      pairs,
      fanout: 1,
      frameBytes: 256,
      window: 2,
      max: run,
      latency: { ...run, offeredRate: rate / 2, p50Ms: p99Ms / 2, p99Ms, maxMs: p99Ms },
      problems: {},
    };
  };
  it('compares two nodes with one at 1,000 pairs, and the cross-node p99 with one node', () => {
    const met = summariseCluster([
      sample('sqlite', 1000, 3000, 5),
      sample('pg1', 1000, 2000, 6),
      sample('pg2', 1000, 3000, 16),
    ]);
    expect(met[0]?.twoOverOne).toBe(1.5);
    expect(met[0]?.pgOverSqlite).toBeCloseTo(2 / 3);
    expect(checkClusterTargets(met).map((c) => c.met)).toEqual([true, true]);
    const missed = summariseCluster([sample('pg1', 1000, 2000, 6), sample('pg2', 1000, 2900, 16.5)]);
    expect(checkClusterTargets(missed).map((c) => c.met)).toEqual([false, false]);
    expect(
      checkClusterTargets(summariseCluster([sample('pg1', 100, 2000, 6), sample('pg2', 100, 2000, 6)]))[0]?.met,
    ).toBeNull();
  });
});
