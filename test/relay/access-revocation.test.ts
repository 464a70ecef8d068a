/**
 * Issue #10 items 1 and 2 against a real relay process: removing a device or replacing its key
 * ends its HTTP sessions and closes its sockets at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { type Account, connectDevice, openConversation, registerAndLogin } from './support/relay-api.js';
import { as, deviceSession, enrolWithRole, newKey, putDevice } from './support/device-roles.js';
import { b64, http } from './support/relay-api.js';

describe('access revocation (issue #10 items 1-2)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    account = await registerAndLogin(relay.origin, 'revocation@example.test');
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#10.1: a removed device loses its session and socket at once and can change nothing afterwards', async () => {
    const owner = await enrolWithRole(relay.origin, account, 'owner');
    const laptop = await enrolWithRole(relay.origin, account, 'owner');
    const ownerToken = await deviceSession(relay.origin, owner);
    const laptopToken = await deviceSession(relay.origin, laptop);
    const conversation = await openConversation(relay.origin, account.accountId);
    const upload = await http(relay.origin, 'POST', `/v1/conversations/${conversation.conversationId}/attachments`, {
      body: new Uint8Array([1, 2, 3]),
      headers: { 'sealdesk-capability': conversation.capability },
    });
    const attachment = `/v1/conversations/${conversation.conversationId}/attachments/${String(upload.json['attachmentId'])}`;
    expect((await as(laptopToken, relay.origin, 'GET', attachment)).status).toBe(200);
    const socket = await connectDevice(relay.wsUrl, laptop);
    expect(socket.of('ready')).toHaveLength(1);

    const base = `/v1/accounts/${account.accountId}`;
    expect((await as(ownerToken, relay.origin, 'DELETE', `${base}/devices/${laptop.deviceId}`)).status).toBe(200);
    await socket.until(() => socket.closeCode !== undefined, 'close of the removed device');
    expect(socket.closeCode).toBe(4410);

    // Every write the issue lists, with the removed laptop's token: all 401.
    const reEnrol = await putDevice(
      relay.origin,
      account.accountId,
      laptop.deviceId,
      (await newKey()).raw,
      laptopToken,
    );
    const attempts = [
      reEnrol,
      await as(laptopToken, relay.origin, 'DELETE', `${base}/devices/${owner.deviceId}`),
      await as(laptopToken, relay.origin, 'PUT', `${base}/device-lists/1`, { body: new Uint8Array([7]) }),
      await as(laptopToken, relay.origin, 'PUT', `${base}/widget-config`, { body: new Uint8Array([7]) }),
      await as(laptopToken, relay.origin, 'POST', `${base}/devices/${owner.deviceId}/one-time-prekeys`, {
        json: { prekeys: [b64(new Uint8Array([7]))] },
      }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect((await as(laptopToken, relay.origin, 'GET', attachment)).status).toBe(403);
    // Nothing was written: no list, the owner device is still there, the laptop is not back.
    expect((await http(relay.origin, 'GET', `${base}/device-lists/latest`)).status).toBe(404);
    expect(
      (await as(ownerToken, relay.origin, 'PUT', `${base}/widget-config`, { body: new Uint8Array([1]) })).status,
    ).toBe(200);
    await expect(deviceSession(relay.origin, laptop)).rejects.toThrow(/401/);
  });

  it('#10.2: replacing a device key closes the old socket and revokes the old session', async () => {
    const agent = await enrolWithRole(relay.origin, account, 'agent');
    const oldToken = await deviceSession(relay.origin, agent);
    const socket = await connectDevice(relay.wsUrl, agent);
    expect(socket.of('ready')).toHaveLength(1);
    const bundle = `/v1/accounts/${account.accountId}/devices/${agent.deviceId}/bundle`;
    expect((await as(oldToken, relay.origin, 'PUT', bundle, { body: new Uint8Array([1]) })).status).toBe(200);

    const fresh = await newKey();
    const rekey = await putDevice(relay.origin, account.accountId, agent.deviceId, fresh.raw, account.token);
    expect(rekey.status).toBe(200);
    expect(rekey.json['role']).toBe('agent');
    await socket.until(() => socket.closeCode !== undefined, 'close of the old key');
    expect(socket.closeCode).toBe(4401);
    expect((await as(oldToken, relay.origin, 'PUT', bundle, { body: new Uint8Array([2]) })).status).toBe(401);
    // The old key no longer signs in; the new one does.
    const stale = await connectDevice(relay.wsUrl, agent);
    await stale.until(() => stale.closeCode !== undefined, 'refused hello');
    expect(stale.closeCode).toBe(4401);
    const renewed = { ...agent, privateKey: fresh.privateKey };
    const newToken = await deviceSession(relay.origin, renewed);
    expect((await as(newToken, relay.origin, 'PUT', bundle, { body: new Uint8Array([3]) })).status).toBe(200);
  });
});
