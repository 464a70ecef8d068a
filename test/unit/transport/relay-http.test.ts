/**
 * The HTTP side of shared/transport against a scripted fetch: every relay answer becomes the
 * typed error a UI acts on, deadlines and aborts are typed too, answers are checked before use,
 * and requests carry credentials only where meant (no cookies, no redirects).
 */
import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  BadRequestError,
  BadResponseError,
  ConflictError,
  type FetchLike,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  type RelayHttp,
  ServerError,
  TimeoutError,
  TooLargeError,
  UnauthorizedError,
  UnreachableError,
  createRelayHttp,
} from '../../../shared/transport/index.js';
import { asAccountId, asConversationId, asDeviceId, idToHex } from '../../../shared/wire/index.js';
import { VirtualTimers, settle } from './support/fake-relay.js';

const A = asAccountId(new Uint8Array(16).fill(0xaa));
const D = asDeviceId(new Uint8Array(16).fill(0xdd));
const C = asConversationId(new Uint8Array(16).fill(0xcc));

interface Call {
  readonly url: string;
  readonly init: RequestInit;
}

function client(answer: (call: Call) => Response | Promise<Response>): {
  http: RelayHttp;
  calls: Call[];
  timers: VirtualTimers;
} {
  const calls: Call[] = [];
  const timers = new VirtualTimers();
  const fetch: FetchLike = async (url, init) => {
    const call = { url, init };
    calls.push(call);
    return answer(call);
  };
  return { http: createRelayHttp({ origin: 'https://relay.test/', fetch, timers, timeoutMs: 5_000 }), calls, timers };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A fetch that never answers but honours its signal, as a frozen relay does. */
const hanging = (call: Call): Promise<Response> =>
  new Promise((_, reject) => {
    call.init.signal?.addEventListener('abort', () => {
      reject(new DOMException('The operation was aborted', 'AbortError'));
    });
  });

describe('relay HTTP errors are typed', () => {
  const cases: readonly [number, Record<string, unknown>, new (...args: never[]) => Error][] = [
    [400, { error: 'bad-request', message: 'nope' }, BadRequestError],
    [401, { error: 'unauthorized' }, UnauthorizedError],
    [403, { error: 'forbidden' }, ForbiddenError],
    [404, { error: 'not-found' }, NotFoundError],
    [405, { error: 'method-not-allowed' }, BadRequestError],
    [409, { error: 'too-many-devices' }, ConflictError],
    [413, { error: 'quota-exceeded' }, TooLargeError],
    [429, { error: 'rate-limited' }, RateLimitedError],
    [500, { error: 'internal' }, ServerError],
    [503, { error: 'busy' }, ServerError],
  ];
  for (const [status, body, kind] of cases) {
    it(`${status} ${String(body['error'])} → ${kind.name}`, async () => {
      const { http } = client(() => json(status, body));
      const error = await http.directory
        .enrolDevice(A, D, new Uint8Array(32), { bearer: 't' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(kind);
      expect(error).toMatchObject({ status, relayCode: body['error'] });
    });
  }

  it('keeps version-conflict’s latest, and the relay’s text apart and shortened', async () => {
    const long = 'x'.repeat(1000);
    const { http } = client(() => json(409, { error: 'version-conflict', message: long, latest: 4 }));
    const error = await http.directory.putDeviceList(A, 9, Uint8Array.of(1), { bearer: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).latest).toBe(4);
    expect((error as ConflictError).relayMessage).toHaveLength(200);
    expect((error as ConflictError).message).not.toContain('xxx');
  });

  it('reads Retry-After as seconds or a date, and caps it', async () => {
    const seconds = client(() => json(429, { error: 'rate-limited' }, { 'retry-after': '7' }));
    const a = await seconds.http.conversations.open(A, C).catch((e: unknown) => e);
    expect((a as RateLimitedError).retryAfterMs).toBe(7_000);
    const date = client(() => {
      return json(
        429,
        { error: 'rate-limited' },
        { 'retry-after': new Date(date.timers.now() + 30_000).toUTCString() },
      );
    });
    const b = await date.http.conversations.open(A, C).catch((e: unknown) => e);
    expect((b as RateLimitedError).retryAfterMs).toBeGreaterThan(28_000);
    expect((b as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(30_000);
    const huge = client(() => json(429, { error: 'rate-limited' }, { 'retry-after': '99999999' }));
    const c = await huge.http.conversations.open(A, C).catch((e: unknown) => e);
    expect((c as RateLimitedError).retryAfterMs).toBe(3_600_000);
  });

  it('drops a relay code that is not a plain name', async () => {
    const { http } = client(() => json(404, { error: '<script>alert(1)</script>' }));
    const error = await http.directory.removeDevice(A, D, { bearer: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).relayCode).toBeUndefined();
  });
});

describe('relay HTTP deadlines, aborts and broken answers', () => {
  it('a relay that does not answer is a TimeoutError at the deadline', async () => {
    const { http, timers } = client(hanging);
    const pending = http.directory.bundles(A).catch((e: unknown) => e);
    await settle();
    await timers.advance(4_999);
    await timers.advance(1);
    expect(await pending).toBeInstanceOf(TimeoutError);
  });

  it('a per-call deadline overrides the default', async () => {
    const { http, timers } = client(hanging);
    const pending = http.directory.bundles(A, { timeoutMs: 100 }).catch((e: unknown) => e);
    await settle();
    await timers.advance(100);
    expect(await pending).toBeInstanceOf(TimeoutError);
  });

  it("the caller's AbortSignal is an AbortedError, before or during the request", async () => {
    const { http, calls } = client(hanging);
    const controller = new AbortController();
    const pending = http.directory.bundles(A, { signal: controller.signal }).catch((e: unknown) => e);
    await settle();
    controller.abort();
    expect(await pending).toBeInstanceOf(AbortedError);
    const before = await http.directory.bundles(A, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(before).toBeInstanceOf(AbortedError);
    expect(calls).toHaveLength(1);
  });

  it('a failed connection is an UnreachableError', async () => {
    const { http } = client(() => Promise.reject(new TypeError('fetch failed')));
    expect(await http.directory.bundles(A).catch((e: unknown) => e)).toBeInstanceOf(UnreachableError);
  });

  it('an answer that is not the documented shape is a BadResponseError', async () => {
    const answers: readonly Response[] = [
      new Response('not json', { status: 200 }),
      json(200, ['an', 'array']),
      json(200, { bundles: 'no' }),
      json(200, { bundles: [{ deviceId: 'short', bundle: 'AA' }] }),
      json(200, { bundles: [{ deviceId: idToHex(D), bundle: '***' }] }),
    ];
    for (const answer of answers) {
      const { http } = client(() => answer);
      expect(await http.directory.bundles(A).catch((e: unknown) => e)).toBeInstanceOf(BadResponseError);
    }
    const wrongId = client(() =>
      json(201, { conversationId: idToHex(asConversationId(new Uint8Array(16))), capability: 'A'.repeat(43) }),
    );
    expect(await wrongId.http.conversations.open(A, C).catch((e: unknown) => e)).toBeInstanceOf(BadResponseError);
  });

  it('refuses an answer larger than expected, declared or streamed', async () => {
    const declared = client(
      () => new Response(new Uint8Array(10), { status: 200, headers: { 'content-length': String(2 * 1024 * 1024) } }),
    );
    expect(await declared.http.directory.widgetConfig(A).catch((e: unknown) => e)).toBeInstanceOf(BadResponseError);
    const streamed = client(() => new Response(new Uint8Array(2 * 1024 * 1024), { status: 200 }));
    expect(await streamed.http.directory.widgetConfig(A).catch((e: unknown) => e)).toBeInstanceOf(BadResponseError);
  });
});

describe('relay HTTP requests', () => {
  it('send credentials only in their header, never cookies, and never follow redirects', async () => {
    const { http, calls } = client((call) =>
      call.url.endsWith('/attachments') ? json(201, { attachmentId: 'ab'.repeat(16) }) : json(200, { devices: 1 }),
    );
    await http.directory.enrolDevice(A, D, new Uint8Array(32).fill(1), { bearer: 'token-1' });
    await http.conversations.uploadAttachment(C, Uint8Array.of(1, 2), { capability: new Uint8Array(32).fill(0xff) });
    const [enrol, upload] = calls;
    expect(enrol?.url).toBe(`https://relay.test/v1/accounts/${idToHex(A)}/devices/${idToHex(D)}`);
    expect(enrol?.init).toMatchObject({ method: 'PUT', credentials: 'omit', redirect: 'error', cache: 'no-store' });
    expect(enrol?.init.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer token-1' });
    expect(JSON.parse(typeof enrol?.init.body === 'string' ? enrol.init.body : '')).toEqual({
      signingKey: 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE',
    });
    expect(upload?.init.headers).toEqual({
      'content-type': 'application/octet-stream',
      'sealdesk-capability': '_'.repeat(42) + '8',
    });
  });

  it('fetches a device-list chain after a version, oldest first, checking the served versions', async () => {
    const { http, calls } = client((call) => {
      const v = /device-lists\/(\w+)$/.exec(call.url)?.[1] ?? '';
      const version = v === 'latest' ? '5' : v;
      return new Response(Uint8Array.of(Number(version)), { status: 200, headers: { 'sealdesk-version': version } });
    });
    const chain = await http.directory.deviceListsAfter(A, 2);
    expect(chain.map((l) => [l.version, [...l.blob]])).toEqual([
      [3, [3]],
      [4, [4]],
      [5, [5]],
    ]);
    expect(calls.map((c) => c.url.split('/').at(-1))).toEqual(['latest', '3', '4']);
    expect(await http.directory.deviceListsAfter(A, 5)).toEqual([]);
    const liar = client(() => new Response(Uint8Array.of(1), { status: 200, headers: { 'sealdesk-version': '9' } }));
    expect(await liar.http.directory.deviceList(A, 3).catch((e: unknown) => e)).toBeInstanceOf(BadResponseError);
  });

  it('answers an exhausted one-time prekey pool and a missing widget config with undefined', async () => {
    const { http } = client(() => json(404, { error: 'none-left' }));
    expect(await http.directory.claimOneTimePrekey(A, D)).toBeUndefined();
    expect(await http.directory.widgetConfig(A)).toBeUndefined();
    expect(await http.directory.deviceList(A)).toBeUndefined();
  });
});
