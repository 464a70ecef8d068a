/**
 * #13 item 2, #11: roles, agents invited and removed, change requests (PROTOCOL §4.5, §10.5, §16.7),
 * against a real relay process. The owner invites an agent (its first device linked under a new
 * agent id, role `agent` in the signed list and at the relay); the agent answers a visitor; the owner
 * removes the agent: its devices leave the list in one version, the relay ends its sessions, and it
 * receives nothing afterwards. An admin's change requests reach the owner's device as `changeRequest`
 * events: one approved (the next list is signed), one denied (nothing changes). A request altered on
 * the way, a decided one sent again, and an agent's request for another agent's device are refused
 * with typed alerts and never become pending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, secureRandom, sha256, utf8Encode } from '../../shared/crypto/index.js';
import {
  type DeviceKeys,
  type RequestedChange,
  UnauthorisedDeviceError,
  createListChangeRequest,
  encodeListChangeRequest,
} from '../../shared/protocol/index.js';
import type { DeviceView, LinkPhase } from '../../shared/runtime/index.js';
import { createRelayHttp, ed25519Signer, systemTimers } from '../../shared/transport/index.js';
import { SealdeskError } from '../../shared/errors/index.js';
import {
  type AccountId,
  asAccountId,
  asConversationId,
  asDeviceId,
  idBytesFromHex,
  idToHex,
} from '../../shared/wire/index.js';
import type { RelayFrame } from '../../shared/wire/index.js';
import { HostileProxy, type ProxiedSocket } from '../support/hostile-proxy.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { injectEnvelope } from './support/queue-injection.js';
import {
  type AgentHandle,
  agentRuntime,
  codeOf,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
} from './support/runtime-world.js';

/** PROTOCOL §4.5 "Carrying a request", derived here from the spec's text, not from the runtime's code. */
async function channelOf(request: Uint8Array): Promise<Uint8Array> {
  const label = utf8Encode('sealdesk/v2/change-request-channel');
  return (await sha256(concatBytes(label, new Uint8Array([0]), request))).slice(0, 16);
}

async function selfOf(agent: AgentHandle): Promise<DeviceView> {
  const self = (await agent.runtime.devices()).find((d) => d.self);
  if (self === undefined) throw new Error('the device does not list itself');
  return self;
}

describe('#13.2: roles, agents invited and removed, change requests', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  /** In front of the owner only: honest, except where a test makes it replay. */
  let proxy: HostileProxy;
  let owner: AgentHandle;
  let accountHex = '';
  let accountId: AccountId;
  let pin = '';
  const others: AgentHandle[] = [];

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    proxy = await HostileProxy.start(relay.origin);
    owner = agentRuntime();
    pin = (await newAccount(proxy.origin, owner)).fingerprint;
    accountHex = (await owner.runtime.status()).accountId ?? '';
    accountId = asAccountId(idBytesFromHex(accountHex));
  }, 60_000);

  afterAll(async () => {
    for (const a of [owner, ...others]) a.runtime.dispose();
    await proxy.stop();
    await relay.stop('SIGKILL');
    data.remove();
  });

  /** What a relay (or a device) can put in the owner's queue: any bytes, in a conversation it opened. */
  async function deliverToOwner(as: DeviceKeys, request: Uint8Array): Promise<void> {
    const channel = asConversationId(await channelOf(request));
    const opened = await fetch(`${relay.origin}/v1/accounts/${accountHex}/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: idToHex(channel) }),
    });
    expect([200, 201, 409]).toContain(opened.status);
    const ownerId = asDeviceId(idBytesFromHex((await selfOf(owner)).deviceId));
    await injectEnvelope(relay.origin, accountId, as, { conversationId: channel, deviceId: ownerId }, request);
  }

  async function signedRequest(by: AgentHandle, change: RequestedChange): Promise<Uint8Array> {
    const keys = await by.store.deviceKeys();
    const view = await owner.store.directory(accountId);
    const base = view?.history.at(-1)?.signed;
    if (keys === undefined || base === undefined) throw new Error('no keys or no list');
    return encodeListChangeRequest(
      await createListChangeRequest(keys, base, change, { rng: secureRandom, now: () => Date.now() }),
    );
  }

  it('#13.2: an invited agent answers a visitor; removed, its sessions end and it receives nothing after', async () => {
    const agent = await link(relay.origin, owner, { agentName: 'Ann Agent', role: 'agent' });
    others.push(agent);
    const self = await selfOf(agent);
    expect(self.role).toBe('agent');
    expect(self.agentName).toBe('Ann Agent');
    const ownerSelf = await selfOf(owner);
    expect(self.agentId).not.toBe(ownerSelf.agentId);
    expect(await agent.runtime.fingerprint()).toBe(pin);
    // Only a device holding the account key signs lists (§3.1, §4.5).
    await expect(agent.runtime.setRole(self.agentId, 'admin')).rejects.toBeInstanceOf(UnauthorisedDeviceError);

    const visitor = visitorRuntime(relay.origin, accountHex, pin);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const hello = await visitor.runtime.sendText('hello, is anyone there?');
    await waitFor(() => agent.events.of('message').some((m) => m.id === hello), 'the agent reading the visitor');
    const reply = await agent.runtime.sendText(conversationId, 'Ann here, how can I help?');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === reply), 'the agent reply at the visitor');
    expect(visitor.events.of('message').find((m) => m.id === reply)?.agentName).toBe('Ann Agent');

    await owner.runtime.removeAgent(self.agentId);
    expect((await owner.runtime.devices()).some((d) => d.agentId === self.agentId)).toBe(false);
    await waitFor(() => agent.events.of('connection').at(-1) !== 'online', "the agent's socket closed by the relay");
    const notice = await owner.runtime.sendText(conversationId, 'Ann has left the team');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === notice), 'the notice');
    const before = agent.events.of('message').length;
    const secret = await visitor.runtime.sendText('my order number is 1234');
    await waitFor(() => owner.events.of('message').some((m) => m.id === secret), 'delivery to the owner');
    await new Promise((r) => setTimeout(r, 500));
    expect(agent.events.of('message').length).toBe(before);
    expect(agent.events.of('connection').at(-1)).not.toBe('online');
    // The relay forgot the device: it can no longer sign in (§16.7: removal ends its sessions).
    const keys = await agent.store.deviceKeys();
    if (keys === undefined) throw new Error('no keys');
    const http = createRelayHttp({ origin: relay.origin, fetch, timers: systemTimers });
    const credentials = { accountId, deviceId: keys.deviceId, sign: ed25519Signer(keys.signing.privateKey) };
    await expect(http.auth.deviceSession(credentials)).rejects.toBeInstanceOf(SealdeskError);
    expect(visitor.events.of('alert')).toEqual([]);
    visitor.runtime.dispose();
  }, 120_000);

  it("#13.2: an admin's change requests reach the owner: one approved, one denied", async () => {
    const admin = await link(relay.origin, owner, { agentName: 'Ada Admin', role: 'admin' });
    const xavier = await link(relay.origin, owner, { agentName: 'Xavier', role: 'agent' });
    const yvonne = await link(relay.origin, owner, { agentName: 'Yvonne', role: 'agent' });
    others.push(admin, xavier, yvonne);
    const x = await selfOf(xavier);
    const y = await selfOf(yvonne);
    expect((await selfOf(admin)).role).toBe('admin');

    // An admin holds no account key: its revocation is a signed request to the owner (§4.5).
    await admin.runtime.revokeDevice(x.deviceId);
    await waitFor(() => owner.events.of('changeRequest').length === 1, 'the first request at the owner');
    const [first] = await owner.runtime.pendingChangeRequests();
    expect(first?.requester.agentName).toBe('Ada Admin');
    expect(first?.requester.role).toBe('admin');
    expect(first?.summary).toContain('Xavier');
    expect((await owner.runtime.devices()).some((d) => d.deviceId === x.deviceId)).toBe(true);
    await owner.runtime.decideChangeRequest(first?.id ?? '', true);
    expect((await owner.runtime.devices()).some((d) => d.deviceId === x.deviceId)).toBe(false);
    expect(await owner.runtime.pendingChangeRequests()).toEqual([]);
    await waitFor(() => xavier.events.of('connection').at(-1) !== 'online', "Xavier's socket closed by the relay");

    await admin.runtime.revokeDevice(y.deviceId);
    await waitFor(() => owner.events.of('changeRequest').length === 2, 'the second request at the owner');
    const [second] = await owner.runtime.pendingChangeRequests();
    const versionBefore = (await owner.store.directory(accountId))?.current?.version;
    await owner.runtime.decideChangeRequest(second?.id ?? '', false);
    expect(await owner.runtime.pendingChangeRequests()).toEqual([]);
    expect((await owner.runtime.devices()).some((d) => d.deviceId === y.deviceId)).toBe(true);
    expect((await owner.store.directory(accountId))?.current?.version).toBe(versionBefore);
    expect(owner.events.of('alert')).toEqual([]);
    await expect(owner.runtime.decideChangeRequest(second?.id ?? '', true)).rejects.toThrow(/no such pending/);
  }, 180_000);

  it('#13.2: an altered, a replayed and an agent-signed request for another agent are refused with alerts', async () => {
    const [admin, , yvonne] = others.slice(1);
    if (admin === undefined || yvonne === undefined) throw new Error('the previous test made the team');
    const adminKeys = await admin.store.deviceKeys();
    const yvonneKeys = await yvonne.store.deviceKeys();
    if (adminKeys === undefined || yvonneKeys === undefined) throw new Error('no keys');
    const y = await selfOf(yvonne);
    const a = await selfOf(admin);
    const alertsBefore = owner.events.of('alert').length;
    const requestsBefore = owner.events.of('changeRequest').length;
    const newAlert = (kind: string) =>
      owner.events
        .of('alert')
        .slice(alertsBefore)
        .some((x) => x.kind === kind);

    // Altered: one signature bit flipped (the relay re-derives the channel id, as it can).
    const genuine = await signedRequest(admin, {
      kind: 'remove-device',
      deviceId: asDeviceId(idBytesFromHex(y.deviceId)),
    });
    const altered = new Uint8Array(genuine);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    await deliverToOwner(adminKeys, altered);
    await waitFor(() => newAlert('bad-signature'), 'the bad-signature alert');

    // Replayed: a genuine request, denied, then delivered again by a relay that replays it (the
    // proxy; the honest relay stores equal bytes sent again to one queue once, PROTOCOL §16.2).
    let seen: { readonly frame: RelayFrame; readonly socket: ProxiedSocket } | undefined;
    proxy.relayFrameHook = (frame, socket) => {
      if (frame.type === 'deliver' && Buffer.from(frame.envelope).subarray(-genuine.length).equals(genuine))
        seen = { frame, socket };
      return undefined;
    };
    await deliverToOwner(adminKeys, genuine);
    await waitFor(() => owner.events.of('changeRequest').length === requestsBefore + 1, 'the genuine request');
    proxy.honest();
    const [pending] = await owner.runtime.pendingChangeRequests();
    expect(pending?.id).toBe(idToHex(asConversationId(await channelOf(genuine))));
    await owner.runtime.decideChangeRequest(pending?.id ?? '', false);
    if (seen === undefined) throw new Error('the genuine request did not pass the proxy');
    seen.socket.toClient(seen.frame);
    await waitFor(() => newAlert('replay'), 'the replay alert');

    // An agent may ask only about its own devices: its runtime refuses at once, and the owner's
    // device refuses the same request signed and delivered anyway (§4.5 `not-allowed`).
    await expect(yvonne.runtime.revokeDevice(a.deviceId)).rejects.toBeInstanceOf(UnauthorisedDeviceError);
    const overreach = await signedRequest(yvonne, {
      kind: 'remove-device',
      deviceId: asDeviceId(idBytesFromHex(a.deviceId)),
    });
    await deliverToOwner(yvonneKeys, overreach);
    await waitFor(() => newAlert('invalid-content'), 'the not-allowed alert');

    expect(await owner.runtime.pendingChangeRequests()).toEqual([]);
    expect(owner.events.of('changeRequest').length).toBe(requestsBefore + 1);
    expect((await owner.runtime.devices()).some((d) => d.deviceId === a.deviceId)).toBe(true);
    expect((await owner.runtime.devices()).some((d) => d.deviceId === y.deviceId)).toBe(true);
  }, 120_000);
  it('#13.2: an admin invites an agent by linking, the owner approves the device; an owner sets a role', async () => {
    const admin = others[1];
    const yvonne = others[3];
    if (admin === undefined || yvonne === undefined) throw new Error('the earlier tests made the team');
    await expect(admin.runtime.startLinkAsExistingDevice({ agentName: 'Max', role: 'admin' })).rejects.toBeInstanceOf(
      UnauthorisedDeviceError,
    );
    const zoe = agentRuntime();
    others.push(zoe);
    const phases: LinkPhase[] = [];
    const adminPhases: LinkPhase[] = [];
    zoe.runtime.on('link', (p) => phases.push(p));
    admin.runtime.on('link', (p) => adminPhases.push(p));
    const requestsBefore = owner.events.of('changeRequest').length;
    const { code } = await admin.runtime.startLinkAsExistingDevice({ agentName: 'Zoe', role: 'agent' });
    await zoe.runtime.linkAsNewDevice({ relayUrl: relay.origin, scanned: code, deviceKind: 'pwa' });
    await waitFor(() => codeOf(phases) !== undefined && codeOf(adminPhases) !== undefined, 'both codes');
    expect(codeOf(phases)).toBe(codeOf(adminPhases));
    await zoe.runtime.confirmLink(true);
    // The admin holds no account key: its release is a change request, the grant waits for the list.
    const released = admin.runtime.confirmLink(true);
    await waitFor(() => owner.events.of('changeRequest').length === requestsBefore + 1, 'the request at the owner');
    expect(adminPhases.some((p) => p.phase === 'waiting-for-approval')).toBe(true);
    expect((await zoe.runtime.status()).enrolled).toBe(false);
    const [request] = await owner.runtime.pendingChangeRequests();
    expect(request?.summary).toContain('Zoe');
    await owner.runtime.decideChangeRequest(request?.id ?? '', true);
    await released;
    await waitFor(() => phases.some((p) => p.phase === 'linked'), 'Zoe linked', 20_000);
    const z = await selfOf(zoe);
    expect(z.role).toBe('agent');
    expect(z.sponsor).toBe((await selfOf(admin)).deviceId);

    // The owner makes Zoe an admin: the signed list says so, and Zoe's requests carry the role.
    await owner.runtime.setRole(z.agentId, 'admin');
    expect((await owner.runtime.devices()).find((d) => d.deviceId === z.deviceId)?.role).toBe('admin');
    await zoe.runtime.revokeDevice((await selfOf(yvonne)).deviceId);
    await waitFor(() => owner.events.of('changeRequest').length === requestsBefore + 2, "Zoe's request");
    const [fromZoe] = await owner.runtime.pendingChangeRequests();
    expect(fromZoe?.requester.role).toBe('admin');
    expect(fromZoe?.requester.agentName).toBe('Zoe');
  }, 120_000);

  it('#11, §4.5: an admin asks to remove a whole agent; the owner approves and every device of it goes; an admin cannot ask it for an admin or owner, an agent not at all', async () => {
    const admin = others[1];
    const yvonne = others[3];
    if (admin === undefined || yvonne === undefined) throw new Error('the earlier tests made the team');
    const quinn = await link(relay.origin, owner, { agentName: 'Quinn', role: 'agent' });
    others.push(quinn);
    const q = await selfOf(quinn);
    const a = await selfOf(admin);
    const alertsBefore = owner.events.of('alert').length;
    const requestsBefore = owner.events.of('changeRequest').length;

    await admin.runtime.removeAgent(q.agentId);
    await waitFor(() => owner.events.of('changeRequest').length === requestsBefore + 1, 'the request at the owner');
    const request = (await owner.runtime.pendingChangeRequests()).find((r) => r.summary.includes('Quinn'));
    expect(request?.requester.agentName).toBe('Ada Admin');
    expect(request?.summary).toContain('every device');
    await owner.runtime.decideChangeRequest(request?.id ?? '', true);
    expect((await owner.runtime.devices()).some((d) => d.agentId === q.agentId)).toBe(false);
    await waitFor(() => quinn.events.of('connection').at(-1) !== 'online', "Quinn's socket closed by the relay");
    await waitFor(
      async () => !(await admin.runtime.devices()).some((d) => d.agentId === q.agentId),
      'the admin sees the list without Quinn',
      30_000,
    );

    // An admin may not ask to remove an owner or another admin: refused on its own device, nothing sent.
    const ownerAgent = (await selfOf(owner)).agentId;
    const zoeAgent = (await owner.runtime.devices()).find((d) => d.agentName === 'Zoe')?.agentId ?? '';
    for (const target of [ownerAgent, zoeAgent])
      await expect(admin.runtime.removeAgent(target)).rejects.toBeInstanceOf(UnauthorisedDeviceError);
    // An agent may not ask it at all: its runtime refuses, and the owner refuses the signed request.
    await expect(yvonne.runtime.removeAgent(a.agentId)).rejects.toBeInstanceOf(UnauthorisedDeviceError);
    const yvonneKeys = await yvonne.store.deviceKeys();
    if (yvonneKeys === undefined) throw new Error('no keys');
    await deliverToOwner(
      yvonneKeys,
      await signedRequest(yvonne, { kind: 'remove-agent', agentId: idBytesFromHex(a.agentId) }),
    );
    await waitFor(
      () =>
        owner.events
          .of('alert')
          .slice(alertsBefore)
          .some((x) => x.kind === 'invalid-content'),
      'the not-allowed alert',
    );
    expect(owner.events.of('changeRequest').length).toBe(requestsBefore + 1);
    expect((await owner.runtime.devices()).some((d) => d.agentId === a.agentId)).toBe(true);
  }, 120_000);
});
