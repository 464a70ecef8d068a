/**
 * PROTOCOL §4.7 in the runtime: the owner's device saves a new device list before it publishes
 * it, so a process killed between the two leaves the relay one version behind. Against a real
 * relay process, the owner revokes a device and its PUT of the new list never reaches the relay
 * (the request hangs, then the runtime is disposed: the crash). Restarted from the same storage,
 * the device publishes the saved version and forgets the removed device's key at the relay. In
 * the second case the restarted device's first attempt fails, and the next list change (a device
 * linked) publishes the missing version first, so the relay's chain has no gap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDeviceListBody, decodeSignedDeviceList, encodeSignedDeviceList } from '../../shared/protocol/index.js';
import type { FetchLike } from '../../shared/transport/index.js';
import { type AccountId, asAccountId, idBytesFromHex, idToHex } from '../../shared/wire/index.js';
import { relayHttp } from '../relay/support/relay-api.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, link, newAccount, waitFor } from './support/runtime-world.js';

const LIST_PUT = /\/device-lists\/\d+$/;

/** Node's fetch, except the device-list PUTs `stop` picks: those hang (a crash) or fail (a lost request). */
function gatedFetch(stop: () => 'hang' | 'fail' | undefined): { fetch: FetchLike; stopped: () => number } {
  let stopped = 0;
  const gated: FetchLike = (url, init) => {
    const action = init.method === 'PUT' && LIST_PUT.test(new URL(url).pathname) ? stop() : undefined;
    if (action === undefined) return fetch(url, init);
    stopped++;
    return action === 'fail' ? Promise.reject(new TypeError('fetch failed')) : new Promise<Response>(() => undefined);
  };
  return { fetch: gated, stopped: () => stopped };
}

describe('§4.7: a device list saved but not published', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
  }, 60_000);

  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  async function relayLatest(account: AccountId) {
    const blob = await relayHttp(relay.origin).directory.deviceList(account, 'latest');
    if (blob === undefined) throw new Error('the relay has no device list');
    return { bytes: blob.blob, list: decodeDeviceListBody(decodeSignedDeviceList(blob.blob).body) };
  }

  async function bundleHolders(account: AccountId): Promise<string[]> {
    return (await relayHttp(relay.origin).directory.bundles(account)).map((b) => idToHex(b.deviceId));
  }

  async function savedNewest(owner: AgentHandle, account: AccountId) {
    const view = await owner.store.directory(account);
    const newest = view?.history.at(-1);
    return newest === undefined ? undefined : { version: newest.version, bytes: encodeSignedDeviceList(newest.signed) };
  }

  /** An owner and a linked second device; the owner's list PUTs pass until `mode.stop` says otherwise. */
  async function ownerWithSecond(mode: { stop: 'hang' | 'fail' | undefined }) {
    const gate = gatedFetch(() => mode.stop);
    const owner = agentRuntime(undefined, undefined, gate.fetch);
    await newAccount(relay.origin, owner);
    const account = asAccountId(idBytesFromHex((await owner.runtime.status()).accountId ?? ''));
    const second = await link(relay.origin, owner);
    const secondId = (await second.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    expect((await relayLatest(account)).list.version).toBe(2);
    return { owner, gate, account, second, secondId };
  }

  it('§4.7: killed between saving and publishing a revocation, the restarted device publishes it', async () => {
    const mode: { stop: 'hang' | 'fail' | undefined } = { stop: undefined };
    const { owner, gate, account, second, secondId } = await ownerWithSecond(mode);
    mode.stop = 'hang';
    void owner.runtime.revokeDevice(secondId).catch(() => undefined);
    await waitFor(async () => gate.stopped() > 0 && (await savedNewest(owner, account))?.version === 3, 'v3 saved');
    owner.runtime.dispose();
    expect((await relayLatest(account)).list.version).toBe(2);
    expect(await bundleHolders(account)).toContain(secondId);
    const saved = await savedNewest(owner, account);

    const restarted = agentRuntime(owner.db);
    await restarted.runtime.status();
    await waitFor(async () => (await relayLatest(account)).list.version === 3, 'v3 published', 20_000);
    const published = await relayLatest(account);
    expect(published.bytes).toEqual(saved?.bytes);
    expect(published.list.devices.map((d) => d.deviceId)).not.toContainEqual(idBytesFromHex(secondId));
    // The removed device was forgotten at the relay with it (§16.7: key, sessions, prekeys).
    await waitFor(async () => !(await bundleHolders(account)).includes(secondId), 'the second device forgotten');
    expect((await restarted.runtime.devices()).map((d) => d.deviceId)).not.toContain(secondId);
    restarted.runtime.dispose();
    second.runtime.dispose();
  }, 90_000);

  it('§4.7: the next list change publishes a saved version the relay lacks before its own', async () => {
    const mode: { stop: 'hang' | 'fail' | undefined } = { stop: undefined };
    const { owner, account, second, secondId } = await ownerWithSecond(mode);
    mode.stop = 'fail';
    await expect(owner.runtime.revokeDevice(secondId)).rejects.toThrow();
    expect((await savedNewest(owner, account))?.version).toBe(3);
    expect((await relayLatest(account)).list.version).toBe(2);
    const saved = await savedNewest(owner, account);

    mode.stop = undefined;
    const third = await link(relay.origin, owner);
    const latest = await relayLatest(account);
    expect(latest.list.version).toBe(4);
    const v3 = await relayHttp(relay.origin).directory.deviceList(account, 3);
    expect(v3?.blob).toEqual(saved?.bytes);
    expect(latest.list.devices).toHaveLength(2);
    for (const a of [owner, second, third]) a.runtime.dispose();
  }, 90_000);
});
