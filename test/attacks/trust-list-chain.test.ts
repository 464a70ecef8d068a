/**
 * Issue #17 item 4 (list side) and issue #9 item 8 (list jump): a view moves from version v to
 * v + k only with every intermediate signed list checked link by link; lists expire (`notAfter`)
 * and name the wire versions the account's devices speak (`supportedVersions`, PROTOCOL §15).
 * The frame side (every frame names its list, hidden readers seen by the devices) is tested in
 * divergence-detection.test.ts; this file covers what the directory view itself must refuse.
 */
import { describe, expect, it } from 'vitest';
import { ed25519Sign } from '../../shared/crypto/index.js';
import { DecodeError } from '../../shared/errors/index.js';
import {
  ALERT_KINDS,
  createDirectoryView,
  createNextDeviceList,
  decodeDeviceListBody,
  DEVICE_LIST_LIFETIME_MS,
  DeviceListGapError,
  deviceListHash,
  encodeDeviceListBody,
  ExpiredDeviceListError,
  findDevice,
  IDENTITY_LABELS,
  labelled,
  listNeedsResigning,
  receiveDeviceList,
  requireAccepted,
  visitorListOf,
} from '../../shared/protocol/index.js';
import { identityWorld, newMember } from '../support/identity-fixture.js';

describe('attack: device list jumps and stale lists (#9.8, #17.4)', () => {
  it('#9.8: a reader added by a list the visitor is never shown: the jump over it is refused (list-gap) until every link is checked', async () => {
    const w = await identityWorld('trust-jump');
    const reader = await newMember(w.env, 'Quiet Reader', 'agent');
    const v1 = decodeDeviceListBody(w.v1.body);
    // v2 adds a reader; v3 renames nothing and keeps it. The relay shows the visitor only v3.
    const v2 = await createNextDeviceList(w.identity, w.v1, { devices: [...v1.devices, reader.entry] }, w.env);
    const v3 = await createNextDeviceList(w.identity, v2, { devices: decodeDeviceListBody(v2.body).devices }, w.env);
    const view = requireAccepted(await receiveDeviceList(createDirectoryView(w.pin), w.v1, w.env)).state;
    const jump = await receiveDeviceList(view, v3, w.env);
    expect(jump.rejected).toBeInstanceOf(DeviceListGapError);
    expect(jump.state).toBe(view);
    expect(jump.list?.version).toBe(1);
    // Link by link, the reader's arrival is seen at v2, then v3 follows.
    const atV2 = requireAccepted(await receiveDeviceList(view, v2, w.env));
    expect(atV2.list && findDevice(atV2.list, reader.entry.deviceId)).toBeDefined();
    expect(requireAccepted(await receiveDeviceList(atV2.state, v3, w.env)).list?.version).toBe(3);
  });

  it('#17.4: an expired current list stops a visitor from starting a conversation (list-expired alert, ExpiredDeviceListError); the owner’s re-signed list lets it start', async () => {
    const w = await identityWorld('trust-expiry');
    const view = requireAccepted(await receiveDeviceList(createDirectoryView(w.pin), w.v1, w.env)).state;
    const v1 = decodeDeviceListBody(w.v1.body);
    expect(v1.notAfter).toBe(v1.issuedAt + DEVICE_LIST_LIFETIME_MS);
    expect(visitorListOf(view, w.env).version).toBe(1);
    w.clock.advance(DEVICE_LIST_LIFETIME_MS - 6 * 24 * 3600_000);
    // The owner re-signs before the list expires.
    expect(listNeedsResigning(v1, w.env.now())).toBe(true);
    w.clock.advance(6 * 24 * 3600_000 + 1);
    let error: unknown;
    try {
      visitorListOf(view, w.env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ExpiredDeviceListError);
    expect(error instanceof ExpiredDeviceListError && error.alert.kind).toBe(ALERT_KINDS.listExpired);
    const resigned = await createNextDeviceList(w.identity, w.v1, { devices: v1.devices }, w.env);
    const fresh = requireAccepted(await receiveDeviceList(view, resigned, w.env)).state;
    expect(visitorListOf(fresh, w.env).version).toBe(2);
  });

  it('#17.8: a list whose supported versions do not include 2, or whose lifetime is past the cap, is refused', async () => {
    const w = await identityWorld('trust-versions');
    const v1 = decodeDeviceListBody(w.v1.body);
    expect(v1.supportedVersions).toEqual([2]);
    const previousHash = await deviceListHash(w.v1.body);
    for (const bad of [
      { ...v1, version: 2, previousHash, supportedVersions: [1] },
      { ...v1, version: 2, previousHash, supportedVersions: [] },
      { ...v1, version: 2, previousHash, supportedVersions: [3, 2] },
      { ...v1, version: 2, previousHash, notAfter: v1.issuedAt },
      { ...v1, version: 2, previousHash, notAfter: v1.issuedAt + 91 * 24 * 3600_000 },
    ]) {
      const body = encodeDeviceListBody(bad);
      const signed = {
        body,
        signature: await ed25519Sign(w.identity.signing.privateKey, labelled(IDENTITY_LABELS.deviceList, body)),
      };
      const view = requireAccepted(await receiveDeviceList(createDirectoryView(w.pin), w.v1, w.env)).state;
      const update = await receiveDeviceList(view, signed, w.env);
      expect(update.rejected).toBeInstanceOf(DecodeError);
      expect(update.state).toBe(view);
    }
  });
});
