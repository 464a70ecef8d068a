/**
 * Web Push from a real relay process to a local RFC 8030 push service (test/support/push-service.ts)
 * that verifies the VAPID token (RFC 8292) and decrypts the body with the subscription's private key
 * (RFC 8291): the payload is the content-free constant, a connected device gets no push, a wake-up
 * is coalesced per device, a 410 removes the subscription, and only the device itself may read or
 * change its subscription (PROTOCOL §16.9). SEALDESK_PUSH_CONCURRENCY=1 makes the relay send in the
 * order frames were stored, so "the push for the next device arrived" shows that none came before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idBytesFromHex, asAccountId, asDeviceId } from '../../shared/wire/index.js';
import { type LocalPushService, type LocalSubscription, startPushService } from '../support/push-service.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import {
  type Account,
  type Conversation,
  type Device,
  b64,
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  http,
  openConversation,
  registerAndLogin,
  relayHttp,
} from './support/relay-api.js';
import { as, deviceSession } from './support/device-roles.js';
import type { TestClient } from './support/ws-client.js';

const WAKE = '{"t":"wake"}';
const SECRET = 'the visitor’s card number is 4111 1111 1111 1111';
const subscriptionPath = (d: Device): string =>
  `/v1/accounts/${d.account.accountId}/devices/${d.deviceId}/push-subscription`;
const subscriptionBody = (s: LocalSubscription): unknown => ({
  endpoint: s.endpoint,
  keys: { p256dh: b64(s.keys.publicKey), auth: b64(s.keys.auth) },
});

describe('Web Push from the relay', () => {
  const data = makeDataDir();
  let pushService: LocalPushService;
  let relay: RelayProcess;
  let account: Account;
  let other: Account;
  let devices: Device[];
  let tokens: string[];
  let subscriptions: LocalSubscription[];
  let conversation: Conversation;
  let visitor: TestClient;
  let requestId = 0;

  /** Stores one envelope for `device` from the visitor and waits for `stored`. */
  async function sendTo(device: Device, text = SECRET): Promise<void> {
    requestId += 1;
    const id = requestId;
    visitor.send({
      type: 'send',
      requestId: id,
      envelope: envelope(conversation.conversationId, { device: device.deviceId }, new TextEncoder().encode(text)),
    });
    await visitor.until((f) => f.some((x) => x.type === 'stored' && x.requestId === id), `stored ${String(id)}`);
  }

  const pushesFor = (s: LocalSubscription): number =>
    pushService.received.filter((r) => r.subscription === s.id).length;

  beforeAll(async () => {
    pushService = await startPushService();
    relay = await startRelayProcess(data.dir, {
      SEALDESK_PUSH_LOOPBACK_HTTP: '1',
      SEALDESK_PUSH_INTERVAL_SECONDS: '3600',
      SEALDESK_PUSH_CONCURRENCY: '1',
      SEALDESK_VAPID_SUBJECT: 'mailto:ops@relay.example',
    });
    account = await registerAndLogin(relay.origin, 'push@example.test');
    other = await registerAndLogin(relay.origin, 'other@example.test');
    devices = [];
    for (let i = 0; i < 5; i++) devices.push(await enrolDevice(relay.origin, account));
    devices.push(await enrolDevice(relay.origin, other));
    tokens = await Promise.all(devices.map((d) => deviceSession(relay.origin, d)));
    subscriptions = devices.map(() => pushService.subscribe());
    conversation = await openConversation(relay.origin, account.accountId);
    visitor = await connectVisitor(relay.wsUrl, conversation);
  }, 60_000);

  afterAll(async () => {
    await visitor.close();
    await relay.stop('SIGKILL');
    await pushService.close();
    data.remove();
  });

  const device = (i: number): Device => {
    const d = devices[i];
    if (d === undefined) throw new Error(`no device ${String(i)}`);
    return d;
  };
  const token = (i: number): string => tokens[i] ?? '';
  const sub = (i: number): LocalSubscription => {
    const s = subscriptions[i];
    if (s === undefined) throw new Error(`no subscription ${String(i)}`);
    return s;
  };

  it('lets only the device itself register, read, replace and delete its subscription', async () => {
    const d0 = device(0);
    const put = (t: string, d: Device, body: unknown): ReturnType<typeof as> =>
      as(t, relay.origin, 'PUT', subscriptionPath(d), { json: body });
    expect((await put(token(0), d0, subscriptionBody(sub(0)))).status).toBe(200);
    // Another device of the account, a password session, another account's device, nobody.
    for (const [t, code] of [
      [token(1), 'not-this-device'],
      [account.token, 'not-this-device'],
      [token(5), 'forbidden'],
    ] as const) {
      const changed = await put(t, d0, subscriptionBody(sub(1)));
      expect([changed.status, changed.json['error']]).toEqual([403, code]);
      const read = await as(t, relay.origin, 'GET', subscriptionPath(d0));
      expect([read.status, read.json['error']]).toEqual([403, code]);
      const deleted = await as(t, relay.origin, 'DELETE', subscriptionPath(d0));
      expect([deleted.status, deleted.json['error']]).toEqual([403, code]);
    }
    expect((await http(relay.origin, 'PUT', subscriptionPath(d0), { json: subscriptionBody(sub(1)) })).status).toBe(
      401,
    );
    const mine = await as(token(0), relay.origin, 'GET', subscriptionPath(d0));
    expect(mine.json['endpoint']).toBe(sub(0).endpoint);

    // The typed client: replace, read, delete, register again.
    const api = relayHttp(relay.origin).push;
    const ids = {
      a: asAccountId(idBytesFromHex(d0.account.accountId)),
      d: asDeviceId(idBytesFromHex(d0.deviceId)),
    };
    const auth = { bearer: token(0) };
    const keys = { endpoint: sub(0).endpoint, p256dh: sub(0).keys.publicKey, auth: sub(0).keys.auth };
    await api.putSubscription(ids.a, ids.d, { ...keys, endpoint: `${sub(0).endpoint}0` }, auth);
    expect(await api.subscriptionEndpoint(ids.a, ids.d, auth)).toBe(`${sub(0).endpoint}0`);
    expect(await api.deleteSubscription(ids.a, ids.d, auth)).toBe(true);
    expect(await api.subscriptionEndpoint(ids.a, ids.d, auth)).toBeUndefined();
    expect(await api.deleteSubscription(ids.a, ids.d, auth)).toBe(false);
    await api.putSubscription(ids.a, ids.d, keys, auth);
    expect(await api.subscriptionEndpoint(ids.a, ids.d, auth)).toBe(sub(0).endpoint);
  });

  it('refuses endpoints and keys a browser would not give, with typed errors', async () => {
    const good = subscriptionBody(sub(1)) as { endpoint: string; keys: { p256dh: string; auth: string } };
    const cases: [unknown, string][] = [
      [{ ...good, endpoint: 'http://push.example/x' }, 'bad-push-endpoint'],
      [{ ...good, endpoint: 'https://127.0.0.1/x' }, 'bad-push-endpoint'],
      [{ ...good, endpoint: 'https://10.1.2.3/x' }, 'bad-push-endpoint'],
      [{ ...good, endpoint: 'https://user:pw@push.example/x' }, 'bad-push-endpoint'],
      [{ ...good, endpoint: 'ftp://push.example/x' }, 'bad-push-endpoint'],
      [{ ...good, endpoint: `https://push.example/${'a'.repeat(1100)}` }, 'bad-push-endpoint'],
      [{ ...good, keys: { ...good.keys, p256dh: b64(new Uint8Array(65).fill(4)) } }, 'bad-request'],
      [{ ...good, keys: { ...good.keys, auth: b64(new Uint8Array(8)) } }, 'bad-request'],
      [{ endpoint: good.endpoint }, 'bad-request'],
    ];
    for (const [body, code] of cases) {
      const answer = await as(token(1), relay.origin, 'PUT', subscriptionPath(device(1)), { json: body });
      expect([answer.status, answer.json['error']]).toEqual([400, code]);
    }
    const huge = await as(token(1), relay.origin, 'PUT', subscriptionPath(device(1)), {
      json: { ...good, pad: 'x'.repeat(5000) },
    });
    expect(huge.status).toBe(413);
    expect((await as(token(1), relay.origin, 'GET', subscriptionPath(device(1)))).status).toBe(404);
  });

  it('wakes an offline device once with a content-free payload that decrypts and is signed by the relay', async () => {
    const vapid = await relayHttp(relay.origin).push.vapidPublicKey();
    for (const i of [2, 3, 4]) {
      const answer = await as(token(i), relay.origin, 'PUT', subscriptionPath(device(i)), {
        json: subscriptionBody(sub(i)),
      });
      expect(answer.status).toBe(200);
    }
    // Three frames for device 0 (offline): one wake-up.
    for (let n = 0; n < 3; n++) await sendTo(device(0));
    await pushService.until(1);
    const push = pushService.received[0];
    expect(push?.problem).toBeUndefined();
    expect(push?.subscription).toBe(sub(0).id);
    expect(new TextDecoder().decode(push?.plaintext)).toBe(WAKE);
    expect(push?.vapidKey).toBe(vapid === undefined ? 'no key' : b64(vapid));
    expect(push?.claims?.sub).toBe('mailto:ops@relay.example');
    expect(push?.headers['ttl']).toBe('14400');
    expect(push?.headers['urgency']).toBe('high');
    expect(push?.headers['topic']).toBe('sealdesk-wake');
    // Nothing the relay sent names the conversation, the account, a device or the message.
    const sent = `${JSON.stringify(push?.headers)} ${Buffer.from(push?.body ?? new Uint8Array()).toString('latin1')}`;
    for (const id of [conversation.conversationId, account.accountId, device(0).deviceId]) {
      expect(sent).not.toContain(id);
      expect(sent).not.toContain(Buffer.from(id, 'hex').toString('latin1'));
    }
    expect(sent).not.toContain('4111');

    // Device 1 is connected: its frame is delivered and wakes nobody. Device 2 is offline: its
    // wake-up is the next request (one at a time, in order), so none for device 0 or 1 came before.
    const online = await connectDevice(relay.wsUrl, device(1));
    await as(token(1), relay.origin, 'PUT', subscriptionPath(device(1)), { json: subscriptionBody(sub(1)) });
    await sendTo(device(1));
    await online.until((f) => f.some((x) => x.type === 'deliver'), 'deliver to the connected device');
    await sendTo(device(0));
    await sendTo(device(2));
    await pushService.until(2);
    await online.close();
    expect(pushService.received[1]?.subscription).toBe(sub(2).id);
    expect(new TextDecoder().decode(pushService.received[1]?.plaintext)).toBe(WAKE);
    expect([pushesFor(sub(0)), pushesFor(sub(1))]).toEqual([1, 0]);
  });

  it('deletes a subscription the push service says is gone (410), and only that one', async () => {
    sub(3).status = 410;
    const before = pushService.received.length;
    await sendTo(device(3));
    await sendTo(device(4));
    await pushService.until(before + 2);
    const gone = pushService.received.find((r) => r.subscription === sub(3).id);
    expect(gone?.status).toBe(410);
    expect(pushesFor(sub(4))).toBe(1);
    expect((await as(token(3), relay.origin, 'GET', subscriptionPath(device(3)))).status).toBe(404);
    expect((await as(token(4), relay.origin, 'GET', subscriptionPath(device(4)))).status).toBe(200);
    expect(relay.output()).toContain('"event":"push.subscription-gone"');
    expect(relay.output()).not.toContain(SECRET);
  });
});
