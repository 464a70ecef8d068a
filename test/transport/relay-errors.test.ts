/**
 * shared/transport against real relay processes when things go wrong: every relay refusal is the
 * typed error a UI can act on (HTTP and WebSocket), and a relay that stops answering (SIGSTOP)
 * gives TimeoutError / AbortedError, then recovers with nothing lost once it runs again (SIGCONT).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../shared/storage/index.js';
import {
  AbortedError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  RateLimitedError,
  type RelayHttp,
  TimeoutError,
  TooLargeError,
  UnauthorizedError,
  UnreachableError,
} from '../../shared/transport/index.js';
import { asAccountId, asConversationId, asDeviceId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { credentials, opaqueClient, relayHttp, unb64 } from '../relay/support/relay-api.js';
import {
  type World,
  bodyText,
  deviceHello,
  envelopeTo,
  party,
  storedCount,
  visitorHello,
  waitFor,
  world,
} from './support/transport-fixture.js';

const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** A port nothing listens on (a server was there a moment ago). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

describe('relay refusals as typed errors (real relay)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let http: RelayHttp;
  let w: World;
  let other: World;
  let second: World;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_CONVERSATIONS_PER_HOUR: '4',
      SEALDESK_MAX_ATTACHMENT_BYTES: '5000',
    });
    http = relayHttp(relay.origin);
    w = await world(relay.origin);
    other = await world(relay.origin, 0);
    second = await world(relay.origin, 2);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('accounts and sessions: conflict, unauthorised, forbidden', async () => {
    const taken = await rejection(http.auth.register(w.account.username, 'another password', opaqueClient));
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken).toMatchObject({ status: 409, relayCode: 'username-taken' });
    expect(await rejection(http.auth.login(w.account.username, 'wrong password', opaqueClient))).toBeInstanceOf(
      UnauthorizedError,
    );
    const accountId = asAccountId(idBytesFromHex(w.account.accountId));
    const stranger = await rejection(
      http.auth.deviceSession({ ...credentials(w.devices[0] ?? never()), deviceId: asDeviceId(random(16)) }),
    );
    expect(stranger).toMatchObject({ status: 401, relayCode: 'device-auth-failed' });
    const session = await http.auth.deviceSession(credentials(w.devices[0] ?? never()));
    await http.directory.putBundle(
      accountId,
      asDeviceId(idBytesFromHex(w.devices[0]?.deviceId ?? '')),
      Uint8Array.of(1),
      {
        bearer: session.sessionToken,
      },
    );
    const bogus = await rejection(
      http.directory.enrolDevice(accountId, asDeviceId(random(16)), random(32), { bearer: 'A'.repeat(43) }),
    );
    expect(bogus).toBeInstanceOf(UnauthorizedError);
    const foreign = await rejection(
      http.directory.enrolDevice(accountId, asDeviceId(random(16)), random(32), { bearer: other.account.token }),
    );
    expect(foreign).toBeInstanceOf(ForbiddenError);
  });

  it('directory: version conflict, absent lists and prekeys, unknown device', async () => {
    const accountId = asAccountId(idBytesFromHex(w.account.accountId));
    const auth = { bearer: w.account.token };
    const conflict = await rejection(http.directory.putDeviceList(accountId, 3, Uint8Array.of(1), auth));
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).latest).toBe(0);
    await http.directory.putDeviceList(accountId, 1, Uint8Array.of(1), auth);
    await http.directory.putDeviceList(accountId, 2, Uint8Array.of(2), auth);
    expect((await http.directory.deviceListsAfter(accountId, 0)).map((l) => [...l.blob])).toEqual([[1], [2]]);
    expect(await http.directory.deviceList(asAccountId(random(16)))).toBeUndefined();
    const deviceId = asDeviceId(idBytesFromHex(w.devices[0]?.deviceId ?? ''));
    expect(await http.directory.claimOneTimePrekey(accountId, deviceId)).toBeUndefined();
    expect(await http.directory.uploadOneTimePrekeys(accountId, deviceId, [Uint8Array.of(9)], auth)).toBe(1);
    expect(await http.directory.claimOneTimePrekey(accountId, deviceId)).toEqual(Uint8Array.of(9));
    expect(await rejection(http.directory.removeDevice(accountId, asDeviceId(random(16)), auth))).toBeInstanceOf(
      NotFoundError,
    );
  });

  it('conversations and attachments: exists, too large, empty, forbidden, rate-limited', async () => {
    const accountId = asAccountId(idBytesFromHex(w.account.accountId));
    const capability = { capability: unb64(w.conversation.capability) };
    const again = await rejection(http.conversations.open(accountId, w.conversationId));
    expect(again).toMatchObject({ status: 409, relayCode: 'conversation-exists' });
    const id = await http.conversations.uploadAttachment(w.conversationId, Uint8Array.of(5, 6, 7), capability);
    expect(await http.conversations.downloadAttachment(w.conversationId, id, capability)).toEqual(
      Uint8Array.of(5, 6, 7),
    );
    expect(
      await rejection(http.conversations.downloadAttachment(w.conversationId, id, { capability: random(32) })),
    ).toBeInstanceOf(ForbiddenError);
    expect(
      await rejection(http.conversations.uploadAttachment(w.conversationId, random(6000), capability)),
    ).toBeInstanceOf(TooLargeError);
    expect(
      await rejection(http.conversations.uploadAttachment(w.conversationId, new Uint8Array(0), capability)),
    ).toBeInstanceOf(BadRequestError);
    let limited: unknown;
    for (let i = 0; i < 5 && limited === undefined; i++) {
      limited = await http.conversations.open(accountId, asConversationId(random(16))).then(
        () => undefined,
        (error: unknown) => error,
      );
    }
    expect(limited).toBeInstanceOf(RateLimitedError);
    // Retry-After (issue #15 item 6): the seconds until the hour's window ends, kept as milliseconds.
    const retryAfterMs = (limited as RateLimitedError).retryAfterMs ?? 0;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(3_600_000);
  });

  it('WebSocket: an unknown recipient is rejected, a removed device is gone and then refused', async () => {
    const [agent, other] = second.devices;
    if (agent === undefined || other === undefined) throw new Error('no devices');
    const device = party({ hello: deviceHello(agent), url: relay.wsUrl });
    await waitFor(() => device.connection.status === 'ready', 'ready');
    const stray = envelopeTo(second.conversationId, { ...agent, deviceId: 'ab'.repeat(16) }, 'to nobody');
    await device.connection.commit({ outbox: [{ envelope: stray, ref: 'stray' }] });
    await waitFor(() => device.events.some((e) => e.type === 'rejected'), 'the rejection');
    const rejected = device.events.find((e) => e.type === 'rejected');
    expect(rejected?.type === 'rejected' ? rejected.error : undefined).toBeInstanceOf(NotFoundError);
    expect(await openMemoryStore(device.db).outbox()).toEqual([]);

    await relayHttp(relay.origin).directory.removeDevice(
      asAccountId(idBytesFromHex(second.account.accountId)),
      asDeviceId(idBytesFromHex(agent.deviceId)),
      { bearer: second.account.token },
    );
    await waitFor(() => device.connection.status === 'failed', 'gone');
    const gone = device.events.at(-1);
    expect(gone?.type === 'status' ? gone.error : undefined).toBeInstanceOf(GoneError);
    device.connection.start();
    await waitFor(() => device.connection.status === 'failed', 'refused');
    const refused = device.events.at(-1);
    expect(refused?.type === 'status' ? refused.error : undefined).toBeInstanceOf(UnauthorizedError);
  });

  it('nothing listening: UnreachableError over HTTP and WebSocket', async () => {
    const port = await deadPort();
    expect(
      await rejection(relayHttp(`http://127.0.0.1:${port}`).directory.bundles(asAccountId(random(16)))),
    ).toBeInstanceOf(UnreachableError);
    const visitor = party({ hello: visitorHello(w.conversation), url: `ws://127.0.0.1:${port}/v1/ws` });
    await waitFor(() => visitor.connection.status === 'waiting', 'waiting');
    const waiting = visitor.events.find((e) => e.type === 'status' && e.status === 'waiting');
    expect(waiting?.type === 'status' ? waiting.error : undefined).toBeInstanceOf(UnreachableError);
    await visitor.connection.stop();
  });
});

describe('a relay that stops answering (SIGSTOP), then runs again (SIGCONT)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
  });
  afterAll(async () => {
    if (relay.child.pid !== undefined) process.kill(relay.child.pid, 'SIGCONT');
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('times out and aborts HTTP, times out sends and handshakes, and loses nothing', async () => {
    const w = await world(relay.origin);
    const [agent] = w.devices;
    const pid = relay.child.pid;
    if (agent === undefined || pid === undefined) throw new Error('setup');
    const tuning = { sendTimeoutMs: 600, handshakeTimeoutMs: 600, backoff: { initialMs: 50, maxMs: 200 } };
    const device = party({ hello: deviceHello(agent), url: relay.wsUrl, tuning });
    const visitor = party({ hello: visitorHello(w.conversation), url: relay.wsUrl, tuning });
    await waitFor(() => device.connection.status === 'ready' && visitor.connection.status === 'ready', 'ready');
    const accountId = asAccountId(idBytesFromHex(w.account.accountId));

    process.kill(pid, 'SIGSTOP');
    try {
      const http = relayHttp(relay.origin);
      expect(await rejection(http.directory.bundles(accountId, { timeoutMs: 300 }))).toBeInstanceOf(TimeoutError);
      const controller = new AbortController();
      setTimeout(() => {
        controller.abort();
      }, 100);
      expect(await rejection(http.directory.bundles(accountId, { signal: controller.signal }))).toBeInstanceOf(
        AbortedError,
      );
      await visitor.connection.commit({ outbox: [{ envelope: envelopeTo(w.conversationId, agent, 'while frozen') }] });
      await waitFor(
        () =>
          visitor.events.some((e) => e.type === 'status' && e.status === 'waiting' && e.error instanceof TimeoutError),
        'the send timeout',
      );
      // Reconnecting while the relay is still frozen: the handshake times out too.
      await waitFor(
        () =>
          visitor.events.filter((e) => e.type === 'status' && e.status === 'waiting' && e.error instanceof TimeoutError)
            .length >= 2,
        'a handshake timeout',
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(() => storedCount(visitor.events) === 1, 'stored after the relay resumed', 20_000);
    await waitFor(() => device.received.some((d) => bodyText(d) === 'while frozen'), 'delivered', 20_000);
    expect(await openMemoryStore(visitor.db).outbox()).toEqual([]);
    await device.connection.stop();
    await visitor.connection.stop();
  });
});

function never(): never {
  throw new Error('missing fixture');
}
