/**
 * Issue #17 item 2: a device asks for a list change with a request it signs over the list it saw
 * (docs/PROTOCOL.md §4.5). The owner device holding the account key applies it only when a listed
 * device signed it for the current list, the requester may ask for it, an addition carries the new
 * device's proof of possession and the owner approved it by hand. A compromised agent device cannot
 * add a device under a colleague's name, and revoking a device takes every device it added.
 */
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../shared/errors/index.js';
import {
  applyChangeRequest,
  createFirstDeviceList,
  existingDeviceConfirmCode,
  existingDeviceReceiveHello,
  listLinkedDevice,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  ChangeRequestRefusedError,
  createDeviceKeys,
  createListChangeRequest,
  createNextDeviceList,
  decodeDeviceListBody,
  deviceEntryOf,
  devicesAddedBy,
  type DeviceEntry,
  listChangeNotices,
  revocationOf,
  type SignedDeviceList,
  verifySignedDeviceList,
} from '../../shared/protocol/index.js';
import { idEquals } from '../../shared/wire/index.js';
import { identityWorld, type IdentityWorld, type Member, newMember } from '../support/identity-fixture.js';
import { linkingWorld } from '../support/linking-flow.js';

const APPROVED = { approvedByHuman: true } as const;

/** A device new to the account, made by `sponsor`'s user for `agent`. */
async function newDeviceFor(w: IdentityWorld, agent: Member, sponsor: Member): Promise<DeviceEntry> {
  const keys = await createDeviceKeys(w.env);
  const { agentId, agentName, role } = agent.entry;
  return deviceEntryOf(keys, { agentId, agentName, kind: 'pwa', role }, w.identity.accountId, sponsor.entry.deviceId);
}

async function refusedWith(promise: Promise<unknown>, reason: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChangeRequestRefusedError);
  expect(error instanceof ChangeRequestRefusedError && error.reason).toBe(reason);
}

describe('attack: device list change requests (#17.2)', () => {
  it('#17.2: an honest agent request to add its own second device is applied after the owner approves; every device of that agent gets a notice', async () => {
    const w = await identityWorld('trust-request-honest');
    const phone = await newDeviceFor(w, w.agent, w.agent);
    const request = await createListChangeRequest(w.agent.keys, w.v1, { kind: 'add-device', device: phone }, w.env);
    // Additions need the owner's explicit approval (the UI's "approve" click).
    await refusedWith(applyChangeRequest(w.identity, w.v1, request, undefined, w.env), 'needs-approval');
    const { signed } = await applyChangeRequest(w.identity, w.v1, request, APPROVED, w.env);
    const v2 = await verifySignedDeviceList(signed, w.identity.signing.publicKey);
    expect(v2.devices.find((d) => d.deviceId.every((b, i) => b === phone.deviceId[i]))?.sponsorId).toEqual(
      w.agent.entry.deviceId,
    );
    const notices = listChangeNotices(decodeDeviceListBody(w.v1.body), v2);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.agentId).toEqual(w.agent.entry.agentId);
    expect(notices[0]?.added.map((d) => d.deviceId)).toEqual([phone.deviceId]);
    expect(notices[0]?.removed).toEqual([]);
  });

  it('#17.2: forged requests are refused: a device not in the list, another agent’s colleague, a stale base, a bad proof of possession, a tampered signature', async () => {
    const w = await identityWorld('trust-request-forged');
    const colleague = await newMember(w.env, 'Carla Colleague', 'agent');
    const v2 = await createNextDeviceList(
      w.identity,
      w.v1,
      { devices: [...decodeDeviceListBody(w.v1.body).devices, colleague.entry] },
      w.env,
    );
    // 1. Signed by a device that is not in the list (the relay, or a revoked device).
    const stranger = await newMember(w.env, 'Ada Agent', 'agent', 'pwa', w.agent.entry.agentId);
    const ownPhone = await newDeviceFor(w, w.agent, stranger);
    const byStranger = await createListChangeRequest(
      stranger.keys,
      v2,
      { kind: 'add-device', device: ownPhone },
      w.env,
    );
    await refusedWith(applyChangeRequest(w.identity, v2, byStranger, APPROVED, w.env), 'not-listed');
    // 2. A compromised agent device adds a device under its colleague's name.
    const underColleague = await newDeviceFor(w, colleague, w.agent);
    const impersonation = await createListChangeRequest(
      w.agent.keys,
      v2,
      { kind: 'add-device', device: underColleague },
      w.env,
    );
    await refusedWith(applyChangeRequest(w.identity, v2, impersonation, APPROVED, w.env), 'not-allowed');
    //    ... or removes the colleague's device.
    const removal = await createListChangeRequest(
      w.agent.keys,
      v2,
      { kind: 'remove-device', deviceId: colleague.entry.deviceId },
      w.env,
    );
    await refusedWith(applyChangeRequest(w.identity, v2, removal, APPROVED, w.env), 'not-allowed');
    // 3. A request made for the previous list (stale base).
    const mine = await newDeviceFor(w, w.agent, w.agent);
    const stale = await createListChangeRequest(w.agent.keys, w.v1, { kind: 'add-device', device: mine }, w.env);
    await refusedWith(applyChangeRequest(w.identity, v2, stale, APPROVED, w.env), 'stale-base');
    // 4. A device whose proof of possession is not its own (the agent made up keys it does not hold).
    const badProof = { ...mine, proofOfPossession: new Uint8Array(64).fill(7) };
    const noProof = await createListChangeRequest(w.agent.keys, v2, { kind: 'add-device', device: badProof }, w.env);
    await refusedWith(applyChangeRequest(w.identity, v2, noProof, APPROVED, w.env), 'bad-proof-of-possession');
    // 5. A request whose signature does not verify (the relay rewrote the change).
    const honest = await createListChangeRequest(w.agent.keys, v2, { kind: 'add-device', device: mine }, w.env);
    const tampered = { ...honest, signature: honest.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    await refusedWith(applyChangeRequest(w.identity, v2, tampered, APPROVED, w.env), 'bad-signature');
    // 6. An addition that names another sponsor than the requester.
    const otherSponsor = await newDeviceFor(w, w.agent, w.owner);
    const sponsorLie = await createListChangeRequest(
      w.agent.keys,
      v2,
      { kind: 'add-device', device: otherSponsor },
      w.env,
    );
    await refusedWith(applyChangeRequest(w.identity, v2, sponsorLie, APPROVED, w.env), 'not-allowed');
    // The honest one still goes through.
    const applied = await applyChangeRequest(w.identity, v2, honest, APPROVED, w.env);
    expect(decodeDeviceListBody(applied.signed.body).version).toBe(3);
  });

  it('#17.2: revoking a device removes every device it added, transitively', async () => {
    const w = await identityWorld('trust-revoke-sponsored');
    const phone = await newDeviceFor(w, w.agent, w.agent);
    const r1 = await createListChangeRequest(w.agent.keys, w.v1, { kind: 'add-device', device: phone }, w.env);
    const v2: SignedDeviceList = (await applyChangeRequest(w.identity, w.v1, r1, APPROVED, w.env)).signed;
    // The phone in turn adds a tablet (the same agent).
    const tabletKeys = await createDeviceKeys(w.env);
    const { agentId, agentName, role } = w.agent.entry;
    const tablet = await deviceEntryOf(
      tabletKeys,
      { agentId, agentName, kind: 'pwa', role },
      w.identity.accountId,
      phone.deviceId,
    );
    const v3 = await createNextDeviceList(
      w.identity,
      v2,
      { devices: [...decodeDeviceListBody(v2.body).devices, tablet] },
      w.env,
    );
    const list3 = decodeDeviceListBody(v3.body);
    expect(devicesAddedBy(list3, w.agent.entry.deviceId).map((d) => d.deviceId)).toEqual([
      phone.deviceId,
      tablet.deviceId,
    ]);
    const revoked = revocationOf(list3, w.agent.entry.deviceId);
    expect(revoked.removed.map((d) => d.deviceId)).toEqual([w.agent.entry.deviceId, phone.deviceId, tablet.deviceId]);
    const v4 = await createNextDeviceList(w.identity, v3, { devices: revoked.devices }, w.env);
    const list4 = decodeDeviceListBody(v4.body);
    expect(list4.devices.map((d) => d.agentName)).toEqual(['Olivia Owner', 'Adam Admin']);
    const notices = listChangeNotices(list3, list4);
    expect(notices.map((n) => n.removed.length)).toEqual([3]);
  });

  it('#17.2: a linked device’s entry carries the proof of possession from its hello and its sponsor; the sponsor lists it, and a forged proof is refused', async () => {
    const { env, identity, owner, newKeys, keyring, profile, n1, e1 } = await linkingWorld('trust-link-proof');
    const v1 = await createFirstDeviceList(identity, { devices: [owner.entry] }, env);
    const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const n2 = await newDeviceReceiveOffer(n1.state, env, e2.offer);
    const n3 = newDeviceConfirmCode(n2.state, env, true);
    const e3 = await existingDeviceConfirmCode(e2.state, env, { codesMatch: true, profile, self: owner.keys, keyring });
    if (e3.release === undefined) throw new Error('nothing released');
    // A proof made by other keys (what a device inventing a colleague's device would have) is refused.
    const forged = { ...e3.release, entry: { ...e3.release.entry, proofOfPossession: new Uint8Array(64).fill(7) } };
    await expect(listLinkedDevice(identity, v1, owner.keys.deviceId, forged, env)).rejects.toBeInstanceOf(
      SignatureError,
    );
    const n4 = await newDeviceReceiveGrant(n3.state, env, e3.release.grant);
    expect(n4.state.phase).toBe('linked');
    const v2 = await listLinkedDevice(identity, v1, owner.keys.deviceId, e3.release, env);
    const listed = decodeDeviceListBody(v2.body).devices.find((d) => idEquals(d.deviceId, newKeys.deviceId));
    expect(listed?.sponsorId).toEqual(owner.keys.deviceId);
    expect(devicesAddedBy(decodeDeviceListBody(v2.body), owner.keys.deviceId)).toHaveLength(1);
  });
});
