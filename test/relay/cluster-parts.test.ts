/**
 * The parts of multi-node mode that need no running relay: the bus payload codec
 * (relay/bus/wake-up.ts), the routing cache's age limit and evictions for nodes on a shared store
 * (relay/store/cached-store.ts), and the settings that select it (relay/config.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  decodeWakeUp,
  encodeDeviceNudge,
  encodeGone,
  encodeMessage,
  encodeNudge,
  encodeTeamSignal,
} from '../../relay/bus/wake-up.js';
import { checkedAccount } from '../../relay/bus/bus.js';
import { TEAM_SIGNAL_MAX_BYTES } from '../../shared/wire/index.js';
import { CachedStore } from '../../relay/store/cached-store.js';
import { MemoryStore } from '../../relay/store/memory-store.js';
import { deviceQueue, visitorQueue } from '../../relay/store/store.js';
import { loadConfig } from '../../relay/config.js';
import { ConfigError } from '../../relay/errors.js';

const hex = (n: number): string => n.toString(16).padStart(32, '0');
const NODE = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

describe('bus payloads (wake-up.ts)', () => {
  it('round-trips a message and a removal, with the sending node', () => {
    const queue = deviceQueue(hex(1), hex(2));
    const m = decodeWakeUp(encodeMessage(NODE, 2 ** 40 + 5, 7, new Uint8Array([9, 9])));
    expect(m).toEqual({
      type: 'message',
      node: '0102030405060708',
      seq: 2 ** 40 + 5,
      previous: 7,
      envelope: new Uint8Array([9, 9]),
    });
    expect(decodeWakeUp(encodeGone(NODE, queue))).toEqual({ type: 'gone', node: '0102030405060708', queue });
    expect(decodeWakeUp(encodeGone(NODE, visitorQueue(hex(3))))).toMatchObject({ queue: `v:${hex(3)}` });
  });

  it('drops what this relay never writes', () => {
    const good = encodeMessage(NODE, 10, 4, new Uint8Array(3));
    expect(decodeWakeUp(good.subarray(0, 20))).toBeUndefined();
    expect(decodeWakeUp(new Uint8Array([3, ...good.subarray(1)]))).toBeUndefined();
    // A predecessor must come before its message; cursors start at 1 and fit a double exactly.
    expect(decodeWakeUp(encodeMessage(NODE, 4, 4, new Uint8Array(0)))).toBeUndefined();
    const huge = encodeMessage(NODE, 10, 4, new Uint8Array(0));
    new DataView(huge.buffer).setBigUint64(9, 2n ** 60n);
    expect(decodeWakeUp(huge)).toBeUndefined();
    const gone = encodeGone(NODE, deviceQueue(hex(1), hex(2)));
    gone[gone.length - 1] = 0x2e;
    expect(decodeWakeUp(gone)).toBeUndefined();
    expect(() => encodeGone(NODE, 'd:x.y')).toThrow(TypeError);
  });
});

describe('account channel payloads (§16.11, §16.12)', () => {
  it('round-trips a nudge and a team signal, with the device they name', () => {
    expect(decodeWakeUp(encodeNudge(NODE, hex(2)))).toEqual({
      type: 'nudge',
      node: '0102030405060708',
      exceptDevice: hex(2),
    });
    const blob = new Uint8Array(TEAM_SIGNAL_MAX_BYTES).fill(7);
    expect(decodeWakeUp(encodeTeamSignal(NODE, hex(3), blob))).toEqual({
      type: 'team-signal',
      node: '0102030405060708',
      author: hex(3),
      blob,
    });
    expect(decodeWakeUp(encodeTeamSignal(NODE, hex(3), new Uint8Array(0)))).toMatchObject({ blob: new Uint8Array(0) });
    // A grant's nudge names the one device to nudge, where a history nudge names the one to skip.
    expect(decodeWakeUp(encodeDeviceNudge(NODE, hex(4)))).toEqual({
      type: 'device-nudge',
      node: '0102030405060708',
      device: hex(4),
    });
  });

  it('drops a nudge or a signal of another shape, and writes none with a bad id or blob', () => {
    const nudge = encodeNudge(NODE, hex(2));
    expect(decodeWakeUp(nudge.subarray(0, nudge.length - 1))).toBeUndefined();
    expect(decodeWakeUp(new Uint8Array([...nudge, 0]))).toBeUndefined();
    const signal = encodeTeamSignal(NODE, hex(3), new Uint8Array(TEAM_SIGNAL_MAX_BYTES));
    expect(decodeWakeUp(new Uint8Array([...signal, 0]))).toBeUndefined();
    expect(decodeWakeUp(signal.subarray(0, 24))).toBeUndefined();
    expect(() => encodeTeamSignal(NODE, hex(3), new Uint8Array(TEAM_SIGNAL_MAX_BYTES + 1))).toThrow(RangeError);
    expect(() => encodeNudge(NODE, 'AB'.repeat(16))).toThrow(TypeError);
    expect(() => encodeNudge(NODE, hex(2).slice(1))).toThrow(TypeError);
    const grant = encodeDeviceNudge(NODE, hex(4));
    expect(decodeWakeUp(new Uint8Array([...grant, 0]))).toBeUndefined();
    expect(decodeWakeUp(grant.subarray(0, grant.length - 1))).toBeUndefined();
    expect(() => encodeDeviceNudge(NODE, 'xyz')).toThrow(TypeError);
    expect(checkedAccount(hex(1))).toBe(hex(1));
    expect(() => checkedAccount(`${hex(1)}.>`)).toThrow(TypeError);
  });
});

describe('CachedStore on a shared store', () => {
  it('reads an answer again once it is older than maxAgeMs, so another node’s removal is seen', async () => {
    let now = 0;
    const inner = new MemoryStore();
    const cache = new CachedStore(inner, 100, { maxAgeMs: 1_000, now: () => now });
    await inner.putDevice(hex(1), hex(2), new Uint8Array(32), 5);
    await inner.createConversation({ conversationId: hex(3), accountId: hex(1), capabilityHash: new Uint8Array(1) }, 0);
    expect(await cache.getDeviceKey(hex(1), hex(2))).toBeDefined();
    expect(await cache.getConversation(hex(3))).toBeDefined();
    // Another node removes both (straight in the shared store, not through this cache).
    await inner.deleteDevice(hex(1), hex(2));
    await inner.deleteConversation(hex(3));
    now = 999;
    expect(cache.knownDeviceQueue(deviceQueue(hex(1), hex(2)))).toBe(true);
    expect(cache.cachedConversationAccount(hex(3))).toBe(hex(1));
    now = 1_000;
    expect(cache.knownDeviceQueue(deviceQueue(hex(1), hex(2)))).toBeUndefined();
    expect(cache.cachedConversationAccount(hex(3))).toBeUndefined();
    expect(await cache.getDeviceKey(hex(1), hex(2))).toBeUndefined();
    expect(await cache.getConversation(hex(3))).toBeUndefined();
  });

  it('forgets a queue’s owner at once when told (a removal announced on the bus), or everything', async () => {
    const inner = new MemoryStore();
    const cache = new CachedStore(inner, 100, { maxAgeMs: 60_000 });
    await inner.putDevice(hex(1), hex(2), new Uint8Array(32), 5);
    await inner.createConversation({ conversationId: hex(3), accountId: hex(1), capabilityHash: new Uint8Array(1) }, 0);
    await cache.getDeviceKey(hex(1), hex(2));
    await cache.getConversation(hex(3));
    cache.forgetQueue(deviceQueue(hex(1), hex(2)));
    cache.forgetQueue(visitorQueue(hex(3)));
    expect(cache.cacheSizes()).toEqual({ deviceKeys: 0, conversations: 0 });
    await cache.getDeviceKey(hex(1), hex(2));
    await cache.getConversation(hex(3));
    cache.forgetAll();
    expect(cache.cacheSizes()).toEqual({ deviceKeys: 0, conversations: 0 });
  });
});

describe('multi-node settings', () => {
  const base = { SEALDESK_DATA_DIR: '/tmp/x' };
  it('reads DATABASE_URL, the bus and its prefix', () => {
    const c = loadConfig({
      ...base,
      DATABASE_URL: 'postgres://u@db/sealdesk',
      NATS_URL: 'nats://bus:4222',
      SEALDESK_BUS_PREFIX: 'prod_1',
    });
    expect(c).toMatchObject({
      databaseUrl: 'postgres://u@db/sealdesk',
      natsUrl: 'nats://bus:4222',
      redisUrl: undefined,
      busPrefix: 'prod_1',
      clusterPollMs: 1000,
      databasePoolSize: 8,
    });
    expect(loadConfig(base)).toMatchObject({ databaseUrl: undefined, natsUrl: undefined, redisUrl: undefined });
  });

  it('refuses a bus without a database, two buses, a wrong scheme and a bad prefix', () => {
    const refuse = (env: Record<string, string>, message: RegExp): void => {
      expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, ...env })).toThrow(message);
    };
    refuse({ NATS_URL: 'nats://bus:4222' }, /need DATABASE_URL/);
    refuse({ DATABASE_URL: 'postgres://db/x', NATS_URL: 'nats://a', REDIS_URL: 'redis://b' }, /not both/);
    refuse({ DATABASE_URL: 'mysql://db/x' }, /DATABASE_URL must start with postgres:/);
    refuse({ DATABASE_URL: 'not a url' }, /DATABASE_URL must be a URL/);
    refuse({ DATABASE_URL: 'postgres://db/x', SEALDESK_BUS_PREFIX: 'a.b' }, /SEALDESK_BUS_PREFIX/);
  });
});
