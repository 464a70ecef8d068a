/**
 * Key directory, one-time prekeys, attachments, deletion, retention-facing routes and ops
 * endpoints against a real relay process with small limits.
 */
import { ConflictError } from '../../shared/transport/index.js';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import {
  type Account,
  type Device,
  b64,
  bearer,
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  http,
  openConversation,
  registerAndLogin,
  unb64,
} from './support/relay-api.js';

describe('key directory and account data', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;
  let other: Account;
  let agent: Device;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_STATIC_DIR: join(data.dir, 'no-static-files'),
      SEALDESK_MAX_DEVICES: '3',
      SEALDESK_MAX_PREKEYS: '60',
      SEALDESK_MAX_BLOB_BYTES: '2048',
      SEALDESK_MAX_ATTACHMENT_BYTES: '600',
      SEALDESK_ATTACHMENT_QUOTA_BYTES: '1000',
      SEALDESK_CONVERSATIONS_PER_HOUR: '6',
      SEALDESK_TRUSTED_PROXIES: '1',
      SEALDESK_UPLOAD_MEMORY_BYTES: '1000',
    });
    account = await registerAndLogin(relay.origin, 'owner@example.test');
    other = await registerAndLogin(relay.origin, 'other@example.test');
    agent = await enrolDevice(relay.origin, account);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('keeps the device-list chain append-only (version = latest + 1) and serves every version publicly', async () => {
    const base = `/v1/accounts/${account.accountId}/device-lists`;
    const put = (v: number, fill: number, headers = bearer(account)): ReturnType<typeof http> =>
      http(relay.origin, 'PUT', `${base}/${v}`, { body: new Uint8Array(100).fill(fill), headers });
    expect((await http(relay.origin, 'GET', `${base}/latest`)).status).toBe(404);
    expect((await put(2, 1)).json).toMatchObject({ error: 'version-conflict', latest: 0 });
    expect((await put(1, 1)).status).toBe(201);
    expect((await put(1, 9)).status).toBe(409);
    expect((await put(3, 3)).status).toBe(409);
    expect((await put(2, 2, bearer(other))).status).toBe(403);
    expect((await put(2, 2)).status).toBe(201);
    const latest = await http(relay.origin, 'GET', `${base}/latest`);
    expect(latest.headers.get('sealdesk-version')).toBe('2');
    expect(latest.bytes).toEqual(new Uint8Array(100).fill(2));
    expect((await http(relay.origin, 'GET', `${base}/1`)).bytes).toEqual(new Uint8Array(100).fill(1));
    const big = await http(relay.origin, 'PUT', `${base}/3`, { body: new Uint8Array(4096), headers: bearer(account) });
    expect(big.status).toBe(413);
    expect(
      (await http(relay.origin, 'PUT', `${base}/3`, { body: new Uint8Array(0), headers: bearer(account) })).status,
    ).toBe(400);
  });

  it('caps devices per account and serves bundles and the widget config without credentials', async () => {
    await enrolDevice(relay.origin, account);
    await enrolDevice(relay.origin, account);
    await expect(enrolDevice(relay.origin, account)).rejects.toBeInstanceOf(ConflictError);
    const bundle = new Uint8Array([1, 2, 3, 4]);
    expect(
      (
        await http(relay.origin, 'PUT', `/v1/accounts/${account.accountId}/devices/${agent.deviceId}/bundle`, {
          body: bundle,
          headers: bearer(account),
        })
      ).status,
    ).toBe(200);
    const bundles = await http(relay.origin, 'GET', `/v1/accounts/${account.accountId}/bundles`);
    expect(bundles.json).toEqual({ bundles: [{ deviceId: agent.deviceId, bundle: b64(bundle) }] });
    expect(
      (
        await http(relay.origin, 'PUT', `/v1/accounts/${account.accountId}/widget-config`, {
          body: new Uint8Array([7, 7]),
          headers: bearer(account),
        })
      ).status,
    ).toBe(200);
    expect((await http(relay.origin, 'GET', `/v1/accounts/${account.accountId}/widget-config`)).bytes).toEqual(
      new Uint8Array([7, 7]),
    );
    expect((await http(relay.origin, 'GET', `/v1/accounts/${other.accountId}/widget-config`)).status).toBe(404);
  });

  it('hands out each one-time prekey at most once under 50 concurrent claims for 20 prekeys', async () => {
    const prekeys = Array.from({ length: 20 }, (_, i) => b64(new Uint8Array([i, ...new Uint8Array(31).fill(i)])));
    const devicePath = `/v1/accounts/${account.accountId}/devices/${agent.deviceId}/one-time-prekeys`;
    const up = await http(relay.origin, 'POST', devicePath, { json: { prekeys }, headers: bearer(account) });
    expect(up.json).toEqual({ count: 20 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => http(relay.origin, 'POST', `${devicePath}/claim`)),
    );
    const got = results.filter((r) => r.status === 200).map((r) => String(r.json['prekey']));
    const none = results.filter((r) => r.status === 404 && r.json['error'] === 'none-left');
    expect(got.length).toBe(20);
    expect(new Set(got).size).toBe(20);
    expect(new Set(got)).toEqual(new Set(prekeys));
    expect(none.length).toBe(30);
    // Cap on stored prekeys, and validation of the upload.
    const tooMany = Array.from({ length: 61 }, () => b64(new Uint8Array(32)));
    expect(
      (await http(relay.origin, 'POST', devicePath, { json: { prekeys: tooMany }, headers: bearer(account) })).json[
        'error'
      ],
    ).toBe('too-many-prekeys');
    expect(
      (await http(relay.origin, 'POST', devicePath, { json: { prekeys: ['not base64!'] }, headers: bearer(account) }))
        .status,
    ).toBe(400);
    expect((await http(relay.origin, 'POST', devicePath, { json: { prekeys }, headers: bearer(other) })).status).toBe(
      403,
    );
  });

  it('stores attachments within size and quota, and deletes a conversation with all its ciphertext', async () => {
    const conversation = await openConversation(relay.origin, account.accountId);
    const cap = { 'sealdesk-capability': conversation.capability };
    const attachments = `/v1/conversations/${conversation.conversationId}/attachments`;
    const first = await http(relay.origin, 'POST', attachments, { body: new Uint8Array(600), headers: cap });
    expect(first.status).toBe(201);
    expect(
      (await http(relay.origin, 'POST', attachments, { body: new Uint8Array(601), headers: cap })).json['error'],
    ).toBe('too-large');
    expect(
      (await http(relay.origin, 'POST', attachments, { body: new Uint8Array(500), headers: cap })).json['error'],
    ).toBe('quota-exceeded');

    const visitor = await connectVisitor(relay.wsUrl, conversation);
    visitor.send({
      type: 'send',
      requestId: 1,
      envelope: envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array([1])),
    });
    await visitor.until((f) => f.some((x) => x.type === 'stored'), 'stored');
    const metricsBefore = new TextDecoder().decode((await http(relay.origin, 'GET', '/metrics')).bytes);
    expect(metricsBefore).toMatch(/sealdesk_queue_pending_messages [1-9]/);

    expect(
      (
        await http(relay.origin, 'DELETE', `/v1/conversations/${conversation.conversationId}`, {
          headers: bearer(other),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await http(relay.origin, 'DELETE', `/v1/conversations/${conversation.conversationId}`, {
          headers: bearer(account),
        })
      ).status,
    ).toBe(200);
    await visitor.until(() => visitor.closeCode !== undefined, 'visitor closed');
    expect(visitor.closeCode).toBe(4410);
    expect(
      (await http(relay.origin, 'GET', `${attachments}/${String(first.json['attachmentId'])}`, { headers: cap }))
        .status,
    ).toBe(404);
    const device = await connectDevice(relay.wsUrl, agent);
    await new Promise((r) => setTimeout(r, 200));
    expect(device.of('deliver')).toEqual([]);
    await device.close();
    const again = await connectVisitor(relay.wsUrl, conversation);
    await again.until(() => again.closeCode !== undefined, 'refused');
    expect(again.closeCode).toBe(4401);
  });

  it('serves health, metrics and the not-built-yet placeholders', async () => {
    const health = await http(relay.origin, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.json['status']).toBe('ok');
    const metrics = await http(relay.origin, 'GET', '/metrics');
    const text = new TextDecoder().decode(metrics.bytes);
    for (const name of [
      'sealdesk_connections',
      'sealdesk_messages_in_total',
      'sealdesk_messages_out_total',
      'sealdesk_queue_pending_messages',
      'sealdesk_rejects_total',
    ]) {
      expect(text).toContain(name);
    }
    for (const path of ['/', '/app/', '/demo/']) {
      const page = await http(relay.origin, 'GET', path);
      expect(page.status).toBe(503);
      expect(page.json['error']).toBe('not-built-yet');
    }
    expect((await http(relay.origin, 'GET', '/v1/nothing')).status).toBe(404);
    expect((await http(relay.origin, 'DELETE', '/healthz')).status).toBe(405);
    expect(unb64(b64(new Uint8Array([1]))).length).toBe(1);
  });

  it('limits new conversations per visitor address per hour', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await http(relay.origin, 'POST', `/v1/accounts/${other.accountId}/conversations`)).status);
    // One conversation was opened by an earlier case in this file; the limit is 6 per hour.
    expect(statuses.filter((s) => s === 201).length).toBe(5);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect((await http(relay.origin, 'POST', `/v1/accounts/${'00'.repeat(16)}/conversations`)).status).toBe(404);
  });

  it('behind a trusted proxy, counts each visitor by the address the proxy saw (IPv6 by /64), never by what the visitor wrote', async () => {
    const open = async (forwardedFor: string): Promise<number> =>
      (
        await http(relay.origin, 'POST', `/v1/accounts/${other.accountId}/conversations`, {
          headers: { 'x-forwarded-for': forwardedFor },
        })
      ).status;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await open('203.0.113.7'));
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429]);
    // Another visitor behind the same proxy has its own budget; a forged entry to the left changes nothing.
    expect(await open('203.0.113.8')).toBe(201);
    expect(await open('198.51.100.1, 203.0.113.7')).toBe(429);
    // The addresses of one IPv6 /64 share one budget.
    for (let i = 1; i <= 6; i++) expect(await open(`2001:db8:5:6::${i.toString(16)}`)).toBe(201);
    expect(await open('2001:db8:5:6:ffff::1')).toBe(429);
    expect(await open('2001:db8:5:7::1')).toBe(201);
  });
  it('refuses an upload with 503 busy while others hold the upload memory, and takes it once they are done', async () => {
    // Conversations opened as a visitor behind the trusted proxy: the peer's own budget is spent above.
    const open = async (): Promise<{ path: string; headers: Record<string, string> }> => {
      const res = await http(relay.origin, 'POST', `/v1/accounts/${account.accountId}/conversations`, {
        headers: { 'x-forwarded-for': '192.0.2.50' },
      });
      expect(res.status).toBe(201);
      return {
        path: `/v1/conversations/${String(res.json['conversationId'])}/attachments`,
        headers: { 'sealdesk-capability': String(res.json['capability']) },
      };
    };
    const [a, b, c] = [await open(), await open(), await open()];
    // 500 of 600 bytes sent, the rest held back: the relay holds 500 of its 1,000.
    const slow = request(`${relay.origin}${a.path}`, {
      method: 'POST',
      headers: { ...a.headers, 'content-length': '600' },
    });
    const slowStatus = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.on('error', reject);
    });
    slow.write(new Uint8Array(500));
    await new Promise((r) => setTimeout(r, 200));
    const busy = await http(relay.origin, 'POST', b.path, { body: new Uint8Array(600), headers: b.headers });
    expect([busy.status, busy.json['error']]).toEqual([503, 'busy']);
    slow.end(new Uint8Array(100));
    expect(await slowStatus).toBe(201);
    expect((await http(relay.origin, 'POST', c.path, { body: new Uint8Array(600), headers: c.headers })).status).toBe(
      201,
    );
  });
});
