/**
 * Issue #10, "Also", against a real relay process: CORS on exactly the visitor routes (never with
 * credentials), HEAD /healthz, and the /v1/ root the banner prints. The same from a page on another
 * origin in Chromium: test/browser/relay-cors.browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { type Account, enrolDevice, http, openConversation, registerAndLogin } from './support/relay-api.js';

const ORIGIN = 'https://shop.example';

describe('CORS and ops answers (issue #10, Also)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    account = await registerAndLogin(relay.origin, 'cors@example.test');
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#10.cors: answers preflights and sends Allow-Origin * on the visitor routes only, never credentials', async () => {
    const device = await enrolDevice(relay.origin, account);
    const a = `/v1/accounts/${account.accountId}`;
    const preflight = await http(relay.origin, 'OPTIONS', `${a}/conversations`, {
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type, sealdesk-capability');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    const conversation = await openConversation(relay.origin, account.accountId);
    const c = `/v1/conversations/${conversation.conversationId}`;
    const withOrigin = { origin: ORIGIN };
    const visitorAnswers = [
      await http(relay.origin, 'POST', `${a}/conversations`, { json: {}, headers: withOrigin }),
      await http(relay.origin, 'GET', `${a}/device-lists/latest`, { headers: withOrigin }),
      await http(relay.origin, 'GET', `${a}/bundles`, { headers: withOrigin }),
      await http(relay.origin, 'POST', `${a}/devices/${device.deviceId}/one-time-prekeys/claim`, {
        headers: withOrigin,
      }),
      await http(relay.origin, 'GET', `${a}/widget-config`, { headers: withOrigin }),
      await http(relay.origin, 'POST', `${c}/attachments`, {
        body: new Uint8Array([1]),
        headers: { ...withOrigin, 'sealdesk-capability': conversation.capability },
      }),
    ];
    // Errors included (404 none-left, 404 no list): the widget must be able to read them.
    expect(visitorAnswers.map((r) => [r.status, r.headers.get('access-control-allow-origin')])).toEqual([
      [201, '*'],
      [404, '*'],
      [200, '*'],
      [404, '*'],
      [404, '*'],
      [201, '*'],
    ]);
    const attachment = `${c}/attachments/${String(visitorAnswers[5]?.json['attachmentId'])}`;
    const download = await http(relay.origin, 'GET', attachment, {
      headers: { ...withOrigin, 'sealdesk-capability': conversation.capability },
    });
    expect([download.status, download.headers.get('access-control-allow-origin')]).toEqual([200, '*']);
    // The upload under the sender's own id (PROTOCOL §8.2), as the runtime sends it: a preflighted PUT.
    const ownId = `${c}/attachments/${'a7'.repeat(16)}`;
    const putPreflight = await http(relay.origin, 'OPTIONS', ownId, {
      headers: { ...withOrigin, 'access-control-request-method': 'PUT' },
    });
    expect(putPreflight.status).toBe(204);
    expect(putPreflight.headers.get('access-control-allow-methods')).toBe('GET, PUT');
    const put = await http(relay.origin, 'PUT', ownId, {
      body: new Uint8Array([2]),
      headers: { ...withOrigin, 'sealdesk-capability': conversation.capability },
    });
    expect([put.status, put.headers.get('access-control-allow-origin')]).toEqual([201, '*']);
    expect(visitorAnswers.every((r) => r.headers.get('access-control-allow-credentials') === null)).toBe(true);

    // Account, device and login routes: no CORS header, and no preflight.
    const bearer = { ...withOrigin, authorization: `Bearer ${account.token}` };
    const others = [
      await http(relay.origin, 'PUT', `${a}/widget-config`, { body: new Uint8Array([1]), headers: bearer }),
      await http(relay.origin, 'DELETE', c, { headers: bearer }),
      await http(relay.origin, 'POST', '/v1/auth/login/start', { json: {}, headers: withOrigin }),
      await http(relay.origin, 'GET', '/metrics', { headers: withOrigin }),
      await http(relay.origin, 'OPTIONS', `${a}/widget-config`, {
        headers: { ...withOrigin, 'access-control-request-method': 'PUT' },
      }),
      await http(relay.origin, 'OPTIONS', `${a}/devices/${device.deviceId}`, {
        headers: { ...withOrigin, 'access-control-request-method': 'DELETE' },
      }),
    ];
    expect(others.map((r) => r.headers.get('access-control-allow-origin'))).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(others[4]?.status).toBe(405);
  });

  it('#10.ops: HEAD /healthz answers 200 and /v1/ (printed in the banner) is answered', async () => {
    const head = await fetch(`${relay.origin}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const root = await http(relay.origin, 'GET', '/v1/');
    expect(root.status).toBe(200);
    expect(root.json).toMatchObject({ service: 'sealdesk-relay', websocket: '/v1/ws' });
    expect(relay.output()).toContain(`${relay.origin}/v1/`);
  });
});
