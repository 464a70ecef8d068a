/**
 * OPAQUE registration and login against a real relay process, and what the database keeps:
 * no password, no hash of it, only the OPAQUE registration record, which cannot test a password
 * without the server's OPRF key (kept outside the database, in the 0600 server-setup file).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as opaque from '@serenity-kit/opaque';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { OPAQUE_KEY_STRETCHING } from '../../shared/protocol/index.js';
import { RateLimitedError } from '../../shared/transport/index.js';
import {
  b64,
  bearer,
  enrolDevice,
  http,
  ids,
  login,
  randomHexId,
  register,
  signChallenge,
} from './support/relay-api.js';

const PASSWORD = 'Tr0ub4dor&3-sealdesk-canary';

describe('relay accounts (OPAQUE, RFC 9807)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('registers and logs in; the session token authorises account writes', async () => {
    await register(relay.origin, 'clinic@example.test', PASSWORD);
    const account = await login(relay.origin, 'clinic@example.test', PASSWORD);
    expect(account?.accountId).toMatch(/^[0-9a-f]{32}$/);
    if (account === undefined) return;
    const device = await enrolDevice(relay.origin, account);
    expect(device.deviceId).toMatch(/^[0-9a-f]{32}$/);
    const denied = await http(relay.origin, 'PUT', `/v1/accounts/${account.accountId}/widget-config`, {
      body: new Uint8Array([1]),
    });
    expect(denied.status).toBe(401);
    const forged = await http(relay.origin, 'PUT', `/v1/accounts/${account.accountId}/widget-config`, {
      body: new Uint8Array([1]),
      headers: { authorization: `Bearer ${b64(new Uint8Array(32))}` },
    });
    expect(forged.status).toBe(401);
  });

  it('F6: the key-stretching parameters are part of the protocol: a login stretching the password differently fails', async () => {
    await opaque.ready;
    const username = 'ksf@example.test';
    await register(relay.origin, username, PASSWORD);
    const attempt = async (
      keyStretching: Parameters<typeof opaque.client.finishLogin>[0]['keyStretching'],
    ): Promise<boolean> => {
      const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: PASSWORD });
      const start = await http(relay.origin, 'POST', '/v1/auth/login/start', { json: { username, startLoginRequest } });
      const loginResponse = String(start.json['loginResponse']);
      return (
        opaque.client.finishLogin({
          clientLoginState,
          loginResponse,
          password: PASSWORD,
          ...(keyStretching === undefined ? {} : { keyStretching }),
        }) !== undefined
      );
    };
    expect(await attempt(OPAQUE_KEY_STRETCHING)).toBe(true);
    // Today's library default has the same values; if it ever changes, this line says so.
    expect(await attempt(undefined)).toBe(true);
    expect(await attempt({ 'argon2id-custom': { ...OPAQUE_KEY_STRETCHING['argon2id-custom'], iterations: 2 } })).toBe(
      false,
    );
  });

  it('refuses a wrong password and a forged finish message, and does not reveal unknown users', async () => {
    await register(relay.origin, 'law@example.test', PASSWORD);
    expect(await login(relay.origin, 'law@example.test', 'wrong password')).toBeUndefined();
    await opaque.ready;
    const { startLoginRequest } = opaque.client.startLogin({ password: PASSWORD });
    const start = await http(relay.origin, 'POST', '/v1/auth/login/start', {
      json: { username: 'law@example.test', startLoginRequest },
    });
    expect(start.status).toBe(200);
    // A finish message made without the password (here: from another login attempt) is refused.
    const other = opaque.client.startLogin({ password: 'guess' });
    const otherStart = await http(relay.origin, 'POST', '/v1/auth/login/start', {
      json: { username: 'law@example.test', startLoginRequest: other.startLoginRequest },
    });
    const otherFinish = opaque.client.finishLogin({
      clientLoginState: other.clientLoginState,
      loginResponse: String(otherStart.json['loginResponse']),
      password: 'guess',
    });
    expect(otherFinish).toBeUndefined();
    const garbage = await http(relay.origin, 'POST', '/v1/auth/login/finish', {
      json: { loginId: start.json['loginId'], finishLoginRequest: b64(new Uint8Array(64).fill(7)) },
    });
    expect(garbage.status).toBe(401);
    expect(garbage.json['error']).toBe('login-failed');
    // Unknown user: same shape of answer as a known one (RFC 9807 §6.3.2.2 fake record).
    const ghost = await http(relay.origin, 'POST', '/v1/auth/login/start', {
      json: { username: 'nobody@example.test', startLoginRequest },
    });
    expect(ghost.status).toBe(200);
    expect(typeof ghost.json['loginResponse']).toBe('string');
    expect(String(ghost.json['loginResponse']).length).toBe(String(start.json['loginResponse']).length);
    const again = await http(relay.origin, 'POST', '/v1/auth/register/finish', {
      json: { username: 'law@example.test', registrationRecord: 'x' },
    });
    expect(again.status).toBe(409);
  });

  it('issues device sessions for a signed, single-use challenge', async () => {
    await register(relay.origin, 'desk@example.test', PASSWORD);
    const account = await login(relay.origin, 'desk@example.test', PASSWORD);
    if (account === undefined) throw new Error('login failed');
    const device = await enrolDevice(relay.origin, account);
    const ask = await http(relay.origin, 'POST', '/v1/auth/device/challenge', {
      json: { accountId: account.accountId, deviceId: device.deviceId },
    });
    const challenge = new Uint8Array(Buffer.from(String(ask.json['challenge']), 'base64url'));
    const signature = await signChallenge(device, challenge);
    const body = {
      accountId: account.accountId,
      deviceId: device.deviceId,
      challenge: b64(challenge),
      signature: b64(signature),
    };
    const ok = await http(relay.origin, 'POST', '/v1/auth/device/session', { json: body });
    expect(ok.status).toBe(200);
    const replay = await http(relay.origin, 'POST', '/v1/auth/device/session', { json: body });
    expect(replay.status).toBe(401);
    const deviceAccount = { ...account, token: String(ok.json['sessionToken']) };
    const put = await http(relay.origin, 'PUT', `/v1/accounts/${account.accountId}/widget-config`, {
      body: new Uint8Array([9]),
      headers: bearer(deviceAccount),
    });
    expect(put.status).toBe(200);
    // A signature by another key for the same device is refused.
    const impostor = await enrolDevice(relay.origin, account);
    const ask2 = await http(relay.origin, 'POST', '/v1/auth/device/challenge', {
      json: { accountId: account.accountId, deviceId: device.deviceId },
    });
    const c2 = new Uint8Array(Buffer.from(String(ask2.json['challenge']), 'base64url'));
    const bad = await signChallenge({ ...impostor, deviceId: device.deviceId }, c2);
    const refused = await http(relay.origin, 'POST', '/v1/auth/device/session', {
      json: { ...body, challenge: b64(c2), signature: b64(bad) },
    });
    expect(refused.status).toBe(401);
    expect(ids(device).deviceId.length).toBe(16);
    expect(randomHexId()).not.toBe(device.deviceId);
  });

  it('stores no password and no hash of it: only the OPAQUE record, useless without the server key', async () => {
    await opaque.ready;
    const username = 'audit@example.test';
    const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password: PASSWORD });
    const start = await http(relay.origin, 'POST', '/v1/auth/register/start', {
      json: { username, registrationRequest },
    });
    const { registrationRecord } = opaque.client.finishRegistration({
      clientRegistrationState,
      registrationResponse: String(start.json['registrationResponse']),
      password: PASSWORD,
    });
    const finish = await http(relay.origin, 'POST', '/v1/auth/register/finish', {
      json: { username, registrationRecord },
    });
    expect(finish.status).toBe(201);
    expect(await login(relay.origin, username, PASSWORD)).toBeDefined();

    // 1. The accounts table has exactly these columns, and the secret one is the client's record.
    const db = new Database(join(relay.dataDir, 'relay.sqlite'), { readonly: true });
    try {
      const columns = (db.prepare('PRAGMA table_info(accounts)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(['account_id', 'username', 'opaque_record', 'created_at']);
      const row = db.prepare('SELECT opaque_record FROM accounts WHERE username = ?').get(username) as {
        opaque_record: string;
      };
      expect(row.opaque_record).toBe(registrationRecord);
    } finally {
      db.close();
    }

    // 2. No file of the data directory except the server setup contains the password or a plain hash of it.
    const pw = Buffer.from(PASSWORD, 'utf8');
    const needles = [pw, Buffer.from(PASSWORD, 'utf16le')];
    for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512']) {
      const digest = createHash(algorithm).update(pw).digest();
      needles.push(
        digest,
        Buffer.from(digest.toString('hex')),
        Buffer.from(digest.toString('base64')),
        Buffer.from(digest.toString('base64url')),
      );
    }
    const files = readdirSync(relay.dataDir).filter((f) => f !== 'opaque-server-setup');
    expect(files).toContain('relay.sqlite');
    for (const file of files) {
      const bytes = readFileSync(join(relay.dataDir, file));
      for (const needle of needles)
        expect(bytes.includes(needle), `${file} must not contain the password or a hash of it`).toBe(false);
    }

    // 3. The record cannot check a password without the server's OPRF key: a server with the
    //    same record but another setup cannot complete a login even with the right password.
    const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: PASSWORD });
    const stolen = opaque.server.startLogin({
      serverSetup: opaque.server.createSetup(),
      userIdentifier: username,
      registrationRecord,
      startLoginRequest,
    });
    expect(
      opaque.client.finishLogin({ clientLoginState, loginResponse: stolen.loginResponse, password: PASSWORD }),
    ).toBeUndefined();

    // 4. That key lives outside the database, readable by its owner only.
    expect(statSync(join(relay.dataDir, 'opaque-server-setup')).mode & 0o777).toBe(0o600);
  });

  it('never writes the password, tokens or capabilities to its logs', async () => {
    const account = await login(relay.origin, 'clinic@example.test', PASSWORD);
    if (account === undefined) throw new Error('login failed');
    const output = relay.output();
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(account.token);
    expect(output).toContain('account.login');
  });
});

describe('relay login throttle (online password guessing)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    // 2 login starts per username per hour, 20 per address.
    relay = await startRelayProcess(data.dir, { SEALDESK_LOGINS_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  const start = async (username: string): Promise<number> => {
    await opaque.ready;
    const { startLoginRequest } = opaque.client.startLogin({ password: PASSWORD });
    return (await http(relay.origin, 'POST', '/v1/auth/login/start', { json: { username, startLoginRequest } })).status;
  };

  it('counts every login start as a guess: past the budget even the right password is refused with 429, other usernames go on', async () => {
    await register(relay.origin, 'target@example.test', PASSWORD);
    expect(await login(relay.origin, 'target@example.test', PASSWORD)).toBeDefined();
    // A wrong guess needs no finish: the client sees it when the envelope does not open.
    expect(await start('target@example.test')).toBe(200);
    expect(await start('target@example.test')).toBe(429);
    await expect(login(relay.origin, 'target@example.test', PASSWORD)).rejects.toBeInstanceOf(RateLimitedError);
    expect(await start('someone-else@example.test')).toBe(200);
    const metrics = new TextDecoder().decode((await http(relay.origin, 'GET', '/metrics')).bytes);
    expect(metrics).toMatch(/reason="login-throttled"\} 2/);
  });

  it('also limits one address trying many usernames (ten times the per-username budget)', async () => {
    // 3 starts were made from this address by the case above.
    const statuses: number[] = [];
    for (let i = 0; i < 18; i++) statuses.push(await start(`spray-${i}@example.test`));
    expect(statuses.slice(0, 17).every((s) => s === 200)).toBe(true);
    expect(statuses[17]).toBe(429);
  });
});
