/**
 * #11: an owner's denial of a change request reaches the requester (PROTOCOL §4.5 "Denying a
 * request"), against a real relay process. An admin (no account key) links a device for a new
 * agent; the owner denies the request; the admin's wait ends at once with ChangeRequestDeniedError
 * and the link's 'declined' phase, instead of after the 10 minutes of the link mailbox.
 *
 * Hostile decisions the relay (or a listed device) puts in the request's channel are refused with an
 * alert and the request keeps waiting: one signed by a listed non-owner device, one by a device of
 * another account, one for another request id, an owner's genuine denial of an earlier request
 * replayed for a second one, one naming another requester, one with a broken signature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DeviceKeys,
  createChangeRequestDenial,
  encodeChangeRequestDecision,
} from '../../shared/protocol/index.js';
import { ChangeRequestDeniedError, type DeviceView, type LinkPhase } from '../../shared/runtime/index.js';
import {
  type AccountId,
  type DeviceId,
  asAccountId,
  asConversationId,
  asDeviceId,
  idBytesFromHex,
} from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { injectEnvelope } from './support/queue-injection.js';
import { type AgentHandle, agentRuntime, codeOf, link, newAccount, waitFor } from './support/runtime-world.js';

async function selfOf(agent: AgentHandle): Promise<DeviceView> {
  const self = (await agent.runtime.devices()).find((d) => d.self);
  if (self === undefined) throw new Error('the device does not list itself');
  return self;
}

async function keysOf(agent: AgentHandle): Promise<DeviceKeys> {
  const keys = await agent.store.deviceKeys();
  if (keys === undefined) throw new Error('no device keys');
  return keys;
}

const idOf = (hex: string): DeviceId => asDeviceId(idBytesFromHex(hex));

describe('#11: a change request denied by an owner reaches the requester', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;
  let admin: AgentHandle;
  let xavier: AgentHandle;
  let accountId: AccountId;
  const others: AgentHandle[] = [];

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    owner = agentRuntime();
    await newAccount(relay.origin, owner);
    accountId = asAccountId(idBytesFromHex((await owner.runtime.status()).accountId ?? ''));
    admin = await link(relay.origin, owner, { agentName: 'Ada Admin', role: 'admin' });
    xavier = await link(relay.origin, owner, { agentName: 'Xavier', role: 'agent' });
    others.push(admin, xavier);
  }, 120_000);

  afterAll(async () => {
    for (const a of [owner, ...others]) a.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  /** What the relay can put in the admin's queue: any bytes, in the request's channel (sent over Xavier's session). */
  async function deliverToAdmin(channelHex: string, bytes: Uint8Array): Promise<void> {
    await injectEnvelope(
      relay.origin,
      accountId,
      await keysOf(xavier),
      { conversationId: asConversationId(idBytesFromHex(channelHex)), deviceId: idOf((await selfOf(admin)).deviceId) },
      bytes,
    );
  }

  /** A denial of request `requestHex` for `requester`, signed with `by` over list `version`. */
  async function denial(
    by: DeviceKeys,
    requestHex: string,
    requester: DeviceId,
    version: number,
    account: AccountId = accountId,
  ): Promise<Uint8Array> {
    return encodeChangeRequestDecision(
      await createChangeRequestDenial(
        by,
        account,
        { requestId: idBytesFromHex(requestHex), requesterId: requester },
        version,
      ),
    );
  }

  async function listVersion(): Promise<number> {
    return (await owner.store.directory(accountId))?.current?.version ?? 0;
  }

  it('#11: the owner denies an admin linking a device; the admin learns it at once, the link says declined', async () => {
    const zoe = agentRuntime();
    others.push(zoe);
    const zoePhases: LinkPhase[] = [];
    const adminPhases: LinkPhase[] = [];
    zoe.runtime.on('link', (p) => zoePhases.push(p));
    admin.runtime.on('link', (p) => adminPhases.push(p));
    const requestsBefore = owner.events.of('changeRequest').length;
    const { code } = await admin.runtime.startLinkAsExistingDevice({ agentName: 'Zoe', role: 'agent' });
    await zoe.runtime.linkAsNewDevice({ relayUrl: relay.origin, scanned: code, deviceKind: 'pwa' });
    await waitFor(() => codeOf(zoePhases) !== undefined && codeOf(adminPhases) !== undefined, 'both codes');
    await zoe.runtime.confirmLink(true);
    let settled = false;
    const released = admin.runtime.confirmLink(true).finally(() => {
      settled = true;
    });
    released.catch(() => undefined);
    await waitFor(() => owner.events.of('changeRequest').length === requestsBefore + 1, 'the request at the owner');
    const [request] = await owner.runtime.pendingChangeRequests();
    if (request === undefined) throw new Error('no pending request');

    // A decision signed by a listed device that is no owner (Xavier, an agent): refused, still waiting.
    const adminId = idOf((await selfOf(admin)).deviceId);
    const alertsBefore = admin.events.of('alert').length;
    await deliverToAdmin(request.id, await denial(await keysOf(xavier), request.id, adminId, await listVersion()));
    await waitFor(
      () =>
        admin.events
          .of('alert')
          .slice(alertsBefore)
          .some((a) => a.kind === 'invalid-content'),
      'the not-owner alert',
    );
    expect(settled).toBe(false);
    expect(adminPhases.some((p) => p.phase === 'declined')).toBe(false);

    await owner.runtime.decideChangeRequest(request.id, false);
    await expect(released).rejects.toBeInstanceOf(ChangeRequestDeniedError);
    expect(adminPhases.at(-1)).toEqual({ phase: 'declined' });
    const denials = admin.events.of('changeRequestDenied');
    expect(denials.map((d) => d.id)).toEqual([request.id]);
    expect(denials[0]?.summary).toBe('You asked to add a pwa device for Zoe (agent)');
    expect((await owner.runtime.devices()).some((d) => d.agentName === 'Zoe')).toBe(false);
    expect((await zoe.runtime.status()).enrolled).toBe(false);
  }, 120_000);

  it('#11: forged, mis-bound and replayed decisions are refused with alerts; the request keeps waiting', async () => {
    const adminId = idOf((await selfOf(admin)).deviceId);
    const ownerKeys = await keysOf(owner);
    const x = await selfOf(xavier);
    const deniedBefore = admin.events.of('changeRequestDenied').length;

    // A first request, denied by the owner: its genuine denial is what the relay will replay.
    await admin.runtime.revokeDevice(x.deviceId);
    await waitFor(async () => (await owner.runtime.pendingChangeRequests()).length === 1, 'the first request');
    const [first] = await owner.runtime.pendingChangeRequests();
    if (first === undefined) throw new Error('no first request');
    const firstVersion = await listVersion();
    await owner.runtime.decideChangeRequest(first.id, false);
    await waitFor(() => admin.events.of('changeRequestDenied').length === deniedBefore + 1, 'the first denial');
    // Ed25519 is deterministic and the body has no time: these are the bytes the owner sent.
    const replayed = await denial(ownerKeys, first.id, adminId, firstVersion);

    // The second request, still waiting while the hostile decisions arrive.
    await admin.runtime.revokeDevice(x.deviceId);
    await waitFor(async () => (await owner.runtime.pendingChangeRequests()).length === 1, 'the second request');
    const [second] = await owner.runtime.pendingChangeRequests();
    if (second === undefined) throw new Error('no second request');
    const version = await listVersion();

    const outsider = agentRuntime();
    others.push(outsider);
    await newAccount(relay.origin, outsider, 'Mallory');
    const outsiderKeys = await keysOf(outsider);
    const flipped = await denial(ownerKeys, second.id, adminId, version);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    const hostile: readonly [string, Uint8Array, string][] = [
      ['a listed non-owner device', await denial(await keysOf(xavier), second.id, adminId, version), 'invalid-content'],
      ['a device of another account', await denial(outsiderKeys, second.id, adminId, version), 'forged'],
      [
        'another account, named as its own',
        await denial(
          outsiderKeys,
          second.id,
          adminId,
          version,
          asAccountId(idBytesFromHex((await outsider.runtime.status()).accountId ?? '')),
        ),
        'forged',
      ],
      // A request id of its own: the first's over this version could equal the replayed bytes
      // (same list version), which the relay stores once (PROTOCOL §16.2).
      ['another request id', await denial(ownerKeys, 'ab'.repeat(16), adminId, version), 'misrouted'],
      ['the first denial replayed', replayed, 'misrouted'],
      ['another requester', await denial(ownerKeys, second.id, idOf(x.deviceId), version), 'misrouted'],
      ['a broken signature', flipped, 'bad-signature'],
    ];
    for (const [what, bytes, kind] of hostile) {
      const alertsBefore = admin.events.of('alert').length;
      await deliverToAdmin(second.id, bytes);
      await waitFor(
        () =>
          admin.events
            .of('alert')
            .slice(alertsBefore)
            .some((a) => a.kind === kind),
        `the ${kind} alert for ${what}`,
      );
    }
    expect(admin.events.of('changeRequestDenied').length).toBe(deniedBefore + 1);

    // Still waiting: the owner's own denial is taken.
    await owner.runtime.decideChangeRequest(second.id, false);
    await waitFor(() => admin.events.of('changeRequestDenied').length === deniedBefore + 2, 'the second denial');
    expect(admin.events.of('changeRequestDenied').at(-1)?.id).toBe(second.id);
    expect((await owner.runtime.devices()).some((d) => d.deviceId === x.deviceId)).toBe(true);
  }, 180_000);
});
