/**
 * PROTOCOL §4.4 "Refreshing" (shared/runtime/directory-sync.ts): what the relay serves as its
 * latest device list goes through the view even when it is not newer. The relay here is a scripted
 * fetch that answers the directory's two routes with genuine lists signed by the account key.
 */
import { describe, expect, it } from 'vitest';
import {
  type DirectoryView,
  type SignedDeviceList,
  createDirectoryView,
  createNextDeviceList,
  decodeDeviceListBody,
  encodeSignedDeviceList,
  receiveDeviceList,
  requireAccepted,
} from '../../../shared/protocol/index.js';
import { refreshDirectory } from '../../../shared/runtime/directory-sync.js';
import { createVisitorHttp, systemTimers } from '../../../shared/transport/index.js';
import { type IdentityWorld, identityWorld } from '../../support/identity-fixture.js';

const ORIGIN = 'http://127.0.0.1:9';

/** A relay whose directory holds `lists` (by version) and names `latest` as its newest. */
function directoryServing(lists: readonly SignedDeviceList[], latest: SignedDeviceList | undefined) {
  const versionOf = (signed: SignedDeviceList) => decodeDeviceListBody(signed.body).version;
  const reply = (signed: SignedDeviceList | undefined) =>
    signed === undefined
      ? new Response(JSON.stringify({ error: 'not-found' }), { status: 404 })
      : new Response(new Blob([new Uint8Array(encodeSignedDeviceList(signed))]), {
          headers: { 'sealdesk-version': String(versionOf(signed)) },
        });
  return createVisitorHttp({
    origin: ORIGIN,
    timers: systemTimers,
    fetch: (url) => {
      const asked = new URL(url).pathname.split('/').at(-1);
      if (asked === 'latest') return Promise.resolve(reply(latest));
      return Promise.resolve(reply(lists.find((l) => String(versionOf(l)) === asked)));
    },
  });
}

async function viewHolding(w: IdentityWorld, ...lists: SignedDeviceList[]): Promise<DirectoryView> {
  let view = createDirectoryView(w.pin);
  for (const signed of lists) view = requireAccepted(await receiveDeviceList(view, signed, w.env)).state;
  return view;
}

async function nextOf(w: IdentityWorld, previous: SignedDeviceList, drop: number): Promise<SignedDeviceList> {
  const devices = decodeDeviceListBody(previous.body).devices.filter((_, i) => i !== drop);
  return createNextDeviceList(w.identity, previous, { devices }, w.env);
}

describe('§4.4: refreshing the directory checks the relay’s latest list even when it is not newer', () => {
  it('the latest list the view holds already: unchanged, no alert', async () => {
    const w = await identityWorld();
    const v2 = await nextOf(w, w.v1, 2);
    const view = await viewHolding(w, w.v1, v2);
    const taken = await refreshDirectory(directoryServing([w.v1, v2], v2), w.identity.accountId, view, w.env);
    expect(taken).toMatchObject({ accepted: false, alerts: [], rejected: undefined });
    expect(taken.view.current?.version).toBe(2);
  });

  it('an older genuine list served as the latest is a rollback; the view keeps its newer list', async () => {
    const w = await identityWorld();
    const v2 = await nextOf(w, w.v1, 2);
    const view = await viewHolding(w, w.v1, v2);
    const taken = await refreshDirectory(directoryServing([w.v1], w.v1), w.identity.accountId, view, w.env);
    expect(taken.rejected?.name).toBe('RollbackError');
    expect(taken.alerts.map((a) => a.kind)).toEqual(['rollback']);
    expect(taken.view.current?.version).toBe(2);
  });

  it('another list signed for the version the view holds is an equivocation, kept as evidence', async () => {
    const w = await identityWorld();
    const v2 = await nextOf(w, w.v1, 2);
    const other = await nextOf(w, w.v1, 1);
    const view = await viewHolding(w, w.v1, v2);
    const taken = await refreshDirectory(directoryServing([w.v1, other], other), w.identity.accountId, view, w.env);
    expect(taken.rejected?.name).toBe('EquivocationError');
    expect(taken.alerts.map((a) => a.kind)).toEqual(['equivocation']);
    expect(taken.view.evidence.map((e) => e.version)).toEqual([2]);
    expect(taken.view.current?.version).toBe(2);
  });

  it('no list at all for an account whose list was accepted is a rollback; a view that never had one just waits', async () => {
    const w = await identityWorld();
    const view = await viewHolding(w, w.v1);
    const relay = directoryServing([], undefined);
    const taken = await refreshDirectory(relay, w.identity.accountId, view, w.env);
    expect(taken.rejected?.name).toBe('RollbackError');
    expect(taken.alerts.map((a) => a.kind)).toEqual(['rollback']);
    const fresh = await refreshDirectory(relay, w.identity.accountId, createDirectoryView(w.pin), w.env);
    expect(fresh).toMatchObject({ accepted: false, alerts: [], rejected: undefined });
  });

  it('§4.7: a device that signs lists may be ahead of the relay (its own list saved, not yet published): no alert', async () => {
    const w = await identityWorld();
    const v2 = await nextOf(w, w.v1, 2);
    const view = await viewHolding(w, w.v1, v2);
    const relay = directoryServing([w.v1], w.v1);
    const taken = await refreshDirectory(relay, w.identity.accountId, view, w.env, { signsLists: true });
    expect(taken).toMatchObject({ accepted: false, alerts: [], rejected: undefined });
    expect(taken.view).toBe(view);
  });

  it('bytes that are no signed list, served as a latest that is not newer, are refused; the view is unchanged and nothing throws', async () => {
    const w = await identityWorld();
    const view = await viewHolding(w, w.v1);
    const garbage = createVisitorHttp({
      origin: ORIGIN,
      timers: systemTimers,
      fetch: () =>
        Promise.resolve(new Response(new Blob([new Uint8Array([1, 2, 3])]), { headers: { 'sealdesk-version': '1' } })),
    });
    const taken = await refreshDirectory(garbage, w.identity.accountId, view, w.env);
    expect(taken.rejected?.name).toBe('DecodeError');
    expect(taken).toMatchObject({ accepted: false, alerts: [] });
    expect(taken.view).toBe(view);
  });
});
