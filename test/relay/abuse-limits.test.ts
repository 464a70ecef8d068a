/**
 * Issue #10 items 4, 7 and 8 against a real relay process with small budgets: one-time prekey
 * claims, registrations and device challenges are limited per address and per device, junk
 * registration records are refused, and a challenge flood does not disturb a device's sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as opaque from '@serenity-kit/opaque';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { type Account, b64, http, randomHexId, registerAndLogin, signChallenge } from './support/relay-api.js';
import { as, enrolWithRole } from './support/device-roles.js';
import { httpFrom } from './support/http-from.js';

describe('abuse limits (issue #10 items 4, 7, 8)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_PREKEY_CLAIMS_PER_HOUR: '5',
      SEALDESK_PREKEY_CLAIMS_PER_DEVICE_PER_HOUR: '8',
      SEALDESK_REGISTRATIONS_PER_HOUR: '3',
      SEALDESK_CHALLENGES_PER_MINUTE: '20',
      SEALDESK_CHALLENGES_PER_DEVICE_PER_MINUTE: '5',
    });
    account = await registerAndLogin(relay.origin, 'limits@example.test');
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#10.4: one-time prekey claims are limited per address (429) and per device (none-left, prekeys kept)', async () => {
    const device = await enrolWithRole(relay.origin, account, 'agent');
    const path = `/v1/accounts/${account.accountId}/devices/${device.deviceId}/one-time-prekeys`;
    const prekeys = Array.from({ length: 20 }, (_, i) => b64(new Uint8Array([i + 1])));
    expect((await as(account.token, relay.origin, 'POST', path, { json: { prekeys } })).status).toBe(200);
    const first: number[] = [];
    for (let i = 0; i < 10; i++)
      first.push((await httpFrom('127.0.0.2', relay.origin, 'POST', `${path}/claim`)).status);
    expect(first).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
    const second: FromStatus[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await httpFrom('127.0.0.3', relay.origin, 'POST', `${path}/claim`);
      second.push([a.status, typeof a.json['error'] === 'string' ? a.json['error'] : '']);
    }
    expect(second).toEqual([
      [200, ''],
      [200, ''],
      [200, ''],
      [404, 'none-left'],
    ]);
    // 8 claimed of 20: the rest are still there for the device's later visitors.
    const left = await as(account.token, relay.origin, 'POST', path, {
      json: { prekeys: [b64(new Uint8Array([99]))] },
    });
    expect(left.json['count']).toBe(13);
  });

  it('#10.7: a junk registration record creates no account; registrations are limited per address', async () => {
    await opaque.ready;
    const junk = await httpFrom('127.0.0.4', relay.origin, 'POST', '/v1/auth/register/finish', {
      username: 'junk@example.test',
      registrationRecord: b64(new Uint8Array([1, 2, 3, 4, 5])),
    });
    expect(junk.status).toBe(400);
    expect(junk.json['error']).toBe('bad-registration-record');
    // 192 bytes that are not a ristretto255 point are refused as well.
    const shaped = await httpFrom('127.0.0.4', relay.origin, 'POST', '/v1/auth/register/finish', {
      username: 'junk@example.test',
      registrationRecord: b64(new Uint8Array(192).fill(0xff)),
    });
    expect(shaped.json['error']).toBe('bad-registration-record');
    // No account: a login start gets the fake answer of an unknown user, not an error.
    const { startLoginRequest } = opaque.client.startLogin({ password: 'x' });
    const start = await http(relay.origin, 'POST', '/v1/auth/login/start', {
      json: { username: 'junk@example.test', startLoginRequest },
    });
    expect(start.status).toBe(200);
    // The budget (3 per hour) counts every finish from the address, junk included.
    const more = await httpFrom('127.0.0.4', relay.origin, 'POST', '/v1/auth/register/finish', {
      username: 'junk2@example.test',
      registrationRecord: b64(new Uint8Array([1])),
    });
    expect(more.status).toBe(400);
    const over = await httpFrom('127.0.0.4', relay.origin, 'POST', '/v1/auth/register/finish', {
      username: 'junk3@example.test',
      registrationRecord: b64(new Uint8Array([1])),
    });
    expect([over.status, over.json['error']]).toEqual([429, 'rate-limited']);
  });

  it('#10.8: challenge floods are limited per address and per device and do not disturb a pending challenge', async () => {
    const device = await enrolWithRole(relay.origin, account, 'agent');
    const ask = await http(relay.origin, 'POST', '/v1/auth/device/challenge', {
      json: { accountId: account.accountId, deviceId: device.deviceId },
    });
    const challenge = new Uint8Array(Buffer.from(String(ask.json['challenge']), 'base64url'));
    // 40 addresses x 25 requests for made-up devices: 20 per address answered, the rest 429.
    const flood = await Promise.all(
      Array.from({ length: 40 }, async (_, a) => {
        const statuses: number[] = [];
        for (let i = 0; i < 25; i++) {
          const r = await httpFrom(`127.0.1.${a + 1}`, relay.origin, 'POST', '/v1/auth/device/challenge', {
            accountId: account.accountId,
            deviceId: randomHexId(),
          });
          statuses.push(r.status);
        }
        return statuses;
      }),
    );
    expect(flood.flat().filter((s) => s === 200)).toHaveLength(40 * 20);
    expect(flood.flat().filter((s) => s === 429)).toHaveLength(40 * 5);
    // The device's own id: 5 per minute (the first was the device's own request).
    const perDevice: number[] = [];
    for (let i = 0; i < 5; i++)
      perDevice.push(
        (
          await httpFrom('127.0.2.1', relay.origin, 'POST', '/v1/auth/device/challenge', {
            accountId: account.accountId,
            deviceId: device.deviceId,
          })
        ).status,
      );
    expect(perDevice).toEqual([200, 200, 200, 200, 429]);
    // The device's challenge from before the flood still signs in.
    const signature = await signChallenge(device, challenge);
    const session = await http(relay.origin, 'POST', '/v1/auth/device/session', {
      json: {
        accountId: account.accountId,
        deviceId: device.deviceId,
        challenge: b64(challenge),
        signature: b64(signature),
      },
    });
    expect(session.status).toBe(200);
  });
});

type FromStatus = [number, string];
