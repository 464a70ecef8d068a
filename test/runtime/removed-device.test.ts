/**
 * PROTOCOL §4.8: a removed device knows it was removed, says so once, and stops. On real relay
 * processes: an owner removes a running device; it emits `removed` exactly once, raises no
 * `history-sync-failed` alert, asks the relay nothing more (no socket, no HTTP request, whatever
 * the app calls), refuses sends with DeviceRemovedError, and says the same from its storage after
 * a restart. A device stopped before its removal learns it at its next start, from the verified
 * list it fetches when the relay refuses it. And the other way round: a relay refusing a device
 * the verified list still names (a hostile proxy) gets no `removed`, one alert naming the relay.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AgentEvents, DeviceRemovedError, RELAY_REFUSED_ALERT_KIND } from '../../shared/runtime/index.js';
import { MemoryDatabase } from '../../shared/storage/index.js';
import type { FetchLike } from '../../shared/transport/index.js';
import { asAccountId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { HostileProxy } from '../support/hostile-proxy.js';
import {
  type AgentHandle,
  agentRuntime,
  link,
  newAccount,
  visitorWrites,
  waitFor,
  waitForCurrentArchiveKey,
} from './support/runtime-world.js';

/** A fetch that counts the requests it makes (what a stopped device must no longer do). */
function countingFetch(): { readonly fetch: FetchLike; readonly count: () => number } {
  let n = 0;
  return {
    fetch: (url, init) => {
      n += 1;
      return fetch(url, init);
    },
    count: () => n,
  };
}

/** A linked device whose `removed` events and relay requests are counted. */
async function linkCounted(
  origin: string,
  owner: AgentHandle,
  db = new MemoryDatabase(),
): Promise<{ handle: AgentHandle; removed: AgentEvents['removed'][]; requests: () => number }> {
  const counter = countingFetch();
  const handle = await link(origin, owner, undefined, 'pwa', agentRuntime(db, undefined, counter.fetch));
  const removed: AgentEvents['removed'][] = [];
  handle.runtime.on('removed', (r) => removed.push(r));
  return { handle, removed, requests: counter.count };
}

/** The same device started again from its storage, with its `removed` events and requests counted. */
function restarted(db: MemoryDatabase): {
  handle: AgentHandle;
  removed: AgentEvents['removed'][];
  requests: () => number;
} {
  const counter = countingFetch();
  const handle = agentRuntime(db, undefined, counter.fetch);
  const removed: AgentEvents['removed'][] = [];
  handle.runtime.on('removed', (r) => removed.push(r));
  return { handle, removed, requests: counter.count };
}

async function selfId(a: AgentHandle): Promise<string> {
  return (await a.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
}

/** ARCHIVE_ALERT_KINDS.sync (shared/runtime/agent-archive-alerts.ts): "Earlier conversations could not be loaded". */
const SYNC_FAILED = 'history-sync-failed';
const syncAlerts = (a: AgentHandle) => a.events.of('alert').filter((x) => x.kind === SYNC_FAILED);
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('§4.8: a removed device knows it was removed, says so once, and stops', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let proxy: HostileProxy;
  let owner: AgentHandle;
  let account = { accountId: '', pin: '' };
  const disposeLater: AgentHandle[] = [];

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    proxy = await HostileProxy.start(relay.origin);
    owner = agentRuntime();
    const created = await newAccount(relay.origin, owner);
    account = { accountId: (await owner.runtime.status()).accountId ?? '', pin: created.fingerprint };
  }, 60_000);

  // A test that fails halfway leaves the proxy honest for the next one.
  afterEach(() => {
    proxy.honest();
  });

  afterAll(async () => {
    for (const a of [...disposeLater, owner]) a.runtime.dispose();
    await proxy.stop();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('an owner removes a running device: `removed` once, no sync alert, nothing asked of the relay, sends refused; again from storage', async () => {
    const db = new MemoryDatabase();
    const b = await linkCounted(relay.origin, owner, db);
    disposeLater.push(b.handle);
    await waitForCurrentArchiveKey([owner, b.handle]);
    const { visitor, conversationId } = await visitorWrites(relay.origin, account, 'hello both', [owner, b.handle]);
    visitor.runtime.dispose();
    const listBefore = (await owner.runtime.devices()).length;
    // A linked device reads the verified widget configuration once it has joined: it keeps the
    // business's name, and its removal names the business.
    await waitFor(
      async () => (await b.handle.store.setting('business-name')) === 'Corner Shop',
      'the business name kept after the link',
    );

    await owner.runtime.revokeDevice(await selfId(b.handle));
    await waitFor(() => b.removed.length > 0, 'the removed device told it was removed', 20_000);
    expect(b.removed[0]?.listVersion).toBeGreaterThan(0);
    expect(b.removed[0]?.businessName).toBe('Corner Shop');
    expect((await b.handle.runtime.status()).removed?.listVersion).toBe(b.removed[0]?.listVersion);
    expect(listBefore - (await owner.runtime.devices()).length).toBe(1);

    // Whatever the app calls now, the device asks the relay nothing: no socket, no request.
    await pause(300);
    const sockets = b.handle.sockets.sockets.length;
    const requests = b.requests();
    for (let i = 0; i < 3; i++) {
      await b.handle.runtime.conversations();
      await b.handle.runtime.cannedReplies({ sync: true });
      await pause(400);
    }
    await expect(b.handle.runtime.sendText(conversationId, 'after removal')).rejects.toBeInstanceOf(DeviceRemovedError);
    await expect(b.handle.runtime.addNote(conversationId, 'a note')).rejects.toBeInstanceOf(DeviceRemovedError);
    expect(b.requests() - requests).toBe(0);
    expect(b.handle.sockets.sockets.length).toBe(sockets);
    expect(b.removed).toHaveLength(1);
    expect(syncAlerts(b.handle)).toEqual([]);
    // Its local copy is still readable until the person erases it.
    expect((await b.handle.runtime.history(conversationId)).length).toBeGreaterThan(0);

    // Started again from its storage: removed at once, without a socket or a request.
    b.handle.runtime.dispose();
    await pause(200);
    const again = restarted(db);
    disposeLater.push(again.handle);
    expect((await again.handle.runtime.status()).removed?.listVersion).toBe(b.removed[0]?.listVersion);
    expect((await again.handle.runtime.status()).removed?.businessName).toBe('Corner Shop');
    expect(again.removed).toHaveLength(1);
    await again.handle.runtime.conversations();
    await pause(500);
    expect(again.requests()).toBe(0);
    expect(again.handle.sockets.sockets).toHaveLength(0);
    await expect(again.handle.runtime.sendText(conversationId, 'still removed')).rejects.toBeInstanceOf(
      DeviceRemovedError,
    );
  }, 120_000);

  it('a device stopped before its removal learns it at its next start, from the verified list, once', async () => {
    const db = new MemoryDatabase();
    const c = await linkCounted(relay.origin, owner, db);
    await waitForCurrentArchiveKey([owner, c.handle]);
    const id = await selfId(c.handle);
    c.handle.runtime.dispose();
    await pause(200);
    await owner.runtime.revokeDevice(id);

    const again = restarted(db);
    disposeLater.push(again.handle);
    await again.handle.runtime.conversations();
    await waitFor(() => again.removed.length > 0, 'the restarted device told it was removed', 20_000);
    await pause(300);
    const requests = again.requests();
    const sockets = again.handle.sockets.sockets.length;
    for (let i = 0; i < 3; i++) {
      await again.handle.runtime.conversations();
      await pause(400);
    }
    expect(again.requests()).toBe(requests);
    expect(again.handle.sockets.sockets.length).toBe(sockets);
    expect(sockets).toBeLessThanOrEqual(1);
    expect(again.removed).toHaveLength(1);
    expect(syncAlerts(again.handle)).toEqual([]);
  }, 120_000);

  it('a relay refusing a device the verified list still names: no `removed`, one alert naming the relay, retries go on and it connects again', async () => {
    const d = await linkCounted(proxy.origin, owner);
    disposeLater.push(d.handle);
    await waitForCurrentArchiveKey([owner, d.handle]);
    const id = await selfId(d.handle);
    // The proxy refuses this device everywhere: its device logins answered 401, its hello spoiled
    // (the relay then refuses it with close 4401). The device lists it serves stay genuine.
    proxy.httpHook = (x) =>
      x.path.startsWith('/v1/auth/device')
        ? {
            status: 401,
            headers: { 'content-type': 'application/json' },
            body: new TextEncoder().encode('{"error":"unauthorized"}'),
          }
        : undefined;
    proxy.clientFrameHook = (frame) => {
      if (frame.type !== 'hello-device') return undefined;
      const signature = frame.signature.slice();
      signature[0] = (signature[0] ?? 0) ^ 0xff;
      return [{ ...frame, signature }];
    };
    for (const s of proxy.sockets) s.cut();

    await waitFor(
      () => d.handle.events.of('alert').some((a) => a.kind === RELAY_REFUSED_ALERT_KIND),
      'the alert naming the relay',
      20_000,
    );
    const before = d.requests();
    for (let i = 0; i < 3; i++) {
      await d.handle.runtime.conversations();
      await pause(400);
    }
    // Retries go on (the archive sync still asks), but the person is told once.
    expect(d.requests()).toBeGreaterThan(before);
    expect(d.handle.events.of('alert').filter((a) => a.kind === RELAY_REFUSED_ALERT_KIND)).toHaveLength(1);
    expect(syncAlerts(d.handle)).toEqual([]);
    expect(d.removed).toEqual([]);
    expect((await d.handle.runtime.status()).removed).toBeUndefined();
    expect((await owner.runtime.devices()).some((x) => x.deviceId === id)).toBe(true);
    // The refusal was not for good: the connection keeps trying (later each time) and is back once
    // the relay accepts the device again.
    const seen = d.handle.events.of('connection').length;
    proxy.honest();
    await waitFor(
      () => d.handle.events.of('connection').slice(seen).includes('online'),
      'the device connected again',
      20_000,
    );
  }, 120_000);

  it('the list removing a running device arrives in an archive sync: `removed` without any refusal by the relay', async () => {
    const e = await linkCounted(proxy.origin, owner);
    disposeLater.push(e.handle);
    await waitForCurrentArchiveKey([owner, e.handle]);
    // The proxy hides every refusal: hellos go unanswered (dropped), device logins fail as an outage.
    const refusals: string[] = [];
    proxy.clientFrameHook = (frame) => (frame.type === 'hello-device' ? [] : undefined);
    proxy.httpHook = (x) => {
      if (!x.path.startsWith('/v1/auth/device')) return undefined;
      refusals.push(x.path);
      return { status: 503, headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode('down') };
    };
    await owner.runtime.revokeDevice(await selfId(e.handle));
    // The device's next archive sync fetches the verified chain (§4.4, §9.6): the newest list no
    // longer names it. That sync may be the one the owner's nudge for the new archive key starts
    // (§16.11, the device's socket is still open), before revokeDevice has even returned, or the
    // one this listing asks for; either way the list alone tells it, as no refusal gets through.
    await e.handle.runtime.conversations();
    await waitFor(() => e.removed.length > 0, 'the device told it was removed by the list alone', 20_000);
    expect(e.removed).toHaveLength(1);
    const ownerView = await owner.store.directory(asAccountId(idBytesFromHex(account.accountId)));
    expect(e.removed[0]?.listVersion).toBe(ownerView?.current?.version);
    expect(e.handle.events.of('alert').filter((a) => a.kind === RELAY_REFUSED_ALERT_KIND)).toEqual([]);
    expect(syncAlerts(e.handle)).toEqual([]);
    proxy.honest();
  }, 120_000);

  it('a sync failing the same way again and again is said once, and again only after a sync succeeded', async () => {
    const f = await linkCounted(proxy.origin, owner);
    disposeLater.push(f.handle);
    await waitForCurrentArchiveKey([owner, f.handle]);
    const historyReads = `/v1/accounts/${account.accountId}/history/after/`;
    const down = () => {
      proxy.httpHook = (x) =>
        x.path.startsWith(historyReads)
          ? { status: 503, headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode('down') }
          : undefined;
    };
    down();
    for (let i = 0; i < 3; i++) await f.handle.runtime.cannedReplies({ sync: true });
    await f.handle.runtime.conversations();
    await pause(300);
    expect(syncAlerts(f.handle)).toHaveLength(1);
    proxy.honest();
    await f.handle.runtime.cannedReplies({ sync: true });
    down();
    await f.handle.runtime.cannedReplies({ sync: true });
    expect(syncAlerts(f.handle)).toHaveLength(2);
    proxy.honest();
  }, 120_000);
});
