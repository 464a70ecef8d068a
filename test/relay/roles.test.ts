/**
 * Issue #10 item 3 against a real relay process: the role given at enrolment decides what a
 * device may change (docs/PROTOCOL.md §16.7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { type Account, b64, randomHexId, registerAndLogin } from './support/relay-api.js';
import { as, deviceSession, enrolWithRole, newKey, putDevice } from './support/device-roles.js';

describe('roles at the relay (issue #10 item 3)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    account = await registerAndLogin(relay.origin, 'roles@example.test');
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#10.3: an agent manages only its own device; an admin no owner; only owners publish lists', async () => {
    const base = `/v1/accounts/${account.accountId}`;
    const owner = await enrolWithRole(relay.origin, account, 'owner');
    const admin = await enrolWithRole(relay.origin, account, 'admin');
    const agent = await enrolWithRole(relay.origin, account, 'agent');
    const otherAgent = await enrolWithRole(relay.origin, account, 'agent');
    const [ownerT, adminT, agentT] = [
      await deviceSession(relay.origin, owner),
      await deviceSession(relay.origin, admin),
      await deviceSession(relay.origin, agent),
    ];
    const status = async (p: ReturnType<typeof as>): Promise<number> => (await p).status;
    const blob = { body: new Uint8Array([1]) };

    // A plain agent: nothing of anyone else, not even another agent; its own bundle and prekeys.
    const agentRefused = await Promise.all([
      status(as(agentT, relay.origin, 'DELETE', `${base}/devices/${owner.deviceId}`)),
      status(as(agentT, relay.origin, 'DELETE', `${base}/devices/${otherAgent.deviceId}`)),
      status(as(agentT, relay.origin, 'PUT', `${base}/device-lists/1`, blob)),
      status(as(agentT, relay.origin, 'PUT', `${base}/widget-config`, blob)),
      status(as(agentT, relay.origin, 'PUT', `${base}/devices/${otherAgent.deviceId}/bundle`, blob)),
      status(putDevice(relay.origin, account.accountId, randomHexId(), (await newKey()).raw, agentT, 'agent')),
      status(putDevice(relay.origin, account.accountId, agent.deviceId, (await newKey()).raw, agentT, 'owner')),
    ]);
    expect(agentRefused).toEqual([403, 403, 403, 403, 403, 403, 403]);
    const refusal = await as(agentT, relay.origin, 'DELETE', `${base}/devices/${owner.deviceId}`);
    expect(refusal.json).toMatchObject({ error: 'role-forbidden', role: 'agent' });
    expect(await status(as(agentT, relay.origin, 'PUT', `${base}/devices/${agent.deviceId}/bundle`, blob))).toBe(200);
    expect(
      await status(
        as(agentT, relay.origin, 'POST', `${base}/devices/${agent.deviceId}/one-time-prekeys`, {
          json: { prekeys: [b64(new Uint8Array([5]))] },
        }),
      ),
    ).toBe(200);

    // An admin: no owner device, no owner role, no device list (only owners hold the account key).
    const adminRefused = await Promise.all([
      status(as(adminT, relay.origin, 'DELETE', `${base}/devices/${owner.deviceId}`)),
      status(putDevice(relay.origin, account.accountId, randomHexId(), (await newKey()).raw, adminT, 'owner')),
      status(putDevice(relay.origin, account.accountId, owner.deviceId, (await newKey()).raw, adminT)),
      status(as(adminT, relay.origin, 'PUT', `${base}/device-lists/1`, blob)),
    ]);
    expect(adminRefused).toEqual([403, 403, 403, 403]);
    expect(await status(as(adminT, relay.origin, 'PUT', `${base}/widget-config`, blob))).toBe(200);
    const linked = await enrolWithRole(relay.origin, account, 'agent', adminT);
    expect(await status(as(adminT, relay.origin, 'DELETE', `${base}/devices/${otherAgent.deviceId}`))).toBe(200);
    expect(await status(as(adminT, relay.origin, 'DELETE', `${base}/devices/${linked.deviceId}`))).toBe(200);

    // The owner device: the list, and any device.
    expect(await status(as(ownerT, relay.origin, 'PUT', `${base}/device-lists/1`, blob))).toBe(201);
    expect(await status(as(ownerT, relay.origin, 'DELETE', `${base}/devices/${admin.deviceId}`))).toBe(200);
    // An unknown role is a typed 400.
    const bad = await putDevice(relay.origin, account.accountId, randomHexId(), (await newKey()).raw, ownerT);
    expect(bad.status).toBe(200);
    const unknown = await as(ownerT, relay.origin, 'PUT', `${base}/devices/${randomHexId()}`, {
      json: { signingKey: b64((await newKey()).raw), role: 'root' },
    });
    expect(unknown.status).toBe(400);
  });
});
