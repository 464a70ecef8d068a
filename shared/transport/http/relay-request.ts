/**
 * One HTTP exchange with the relay: a deadline over the whole exchange (headers and body), the
 * caller's AbortSignal, capped response bodies, and every failure as a typed RelayError
 * (error-mapping.ts). Requests never send cookies, never follow redirects (a redirect could carry a
 * session token elsewhere) and are never cached.
 */
import { toBase64Url } from '../../crypto/index.js';
import { UsageError } from '../../errors/index.js';
import { errorFromStatus, retryAfterMs } from '../error-mapping.js';
import type { FetchLike, Timers } from '../ports.js';
import { AbortedError, BadResponseError, RelayError, TimeoutError, UnreachableError } from '../relay-errors.js';

export interface RelayHttpOptions {
  /** The relay's origin, e.g. `https://relay.example` (http only for 127.0.0.1 in tests). */
  readonly origin: string;
  readonly fetch: FetchLike;
  readonly timers: Timers;
  /** Deadline of one exchange, headers and body (default 15 s). */
  readonly timeoutMs?: number;
}

/** Per-call options of every HTTP method. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** An account or device session (OPAQUE login, device challenge) or a visitor's conversation capability. */
export type RelayAuth = { readonly bearer: string } | { readonly capability: Uint8Array };

export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** What this request does, for error messages ("claim a one-time prekey"). */
  readonly what: string;
  readonly json?: unknown;
  readonly bytes?: Uint8Array;
  readonly auth?: RelayAuth;
  /** Largest response body read (default 1 MiB). */
  readonly maxResponseBytes?: number;
}

export interface RelayResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_RESPONSE = 1024 * 1024;
const MAX_ERROR_BODY = 8 * 1024;

/** Reads at most `max` bytes of a body; more is a BadResponseError (checked as it streams). */
async function readCapped(response: Response, max: number, what: string): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  const tooLarge = (): BadResponseError =>
    new BadResponseError(`${what}: the relay's answer is larger than the ${max} bytes expected`);
  if (declared > max) throw tooLarge();
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A JSON object body, or BadResponseError. */
export function parseJsonObject(bytes: Uint8Array, what: string): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new BadResponseError(`${what}: the relay's answer is not JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadResponseError(`${what}: the relay's answer is not a JSON object`);
  }
  return value as Readonly<Record<string, unknown>>;
}

function normaliseOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch (error) {
    throw new UsageError('the relay origin must be an absolute http(s) URL', { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError('the relay origin must be an http(s) URL');
  }
  return url.origin;
}

export class RelayRequester {
  readonly origin: string;
  readonly #fetch: FetchLike;
  readonly #timers: Timers;
  readonly #timeoutMs: number;

  constructor(options: RelayHttpOptions) {
    this.origin = normaliseOrigin(options.origin);
    this.#fetch = options.fetch;
    this.#timers = options.timers;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The exchange; resolves only for 200 and 201, every other answer is a typed RelayError. */
  async request(spec: RequestSpec, call: CallOptions = {}): Promise<RelayResponse> {
    const { signal } = call;
    if (signal?.aborted === true) throw new AbortedError(`${spec.what}: aborted before it started`);
    const controller = new AbortController();
    // Set by the timer or the caller's signal (an object: the callbacks write it, TypeScript's flow analysis does not see that).
    const stopped: { by?: 'timeout' | 'caller' } = {};
    const timeoutMs = call.timeoutMs ?? this.#timeoutMs;
    const cancelTimer = this.#timers.after(timeoutMs, () => {
      stopped.by = 'timeout';
      controller.abort();
    });
    const onAbort = (): void => {
      stopped.by ??= 'caller';
      controller.abort();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.#fetch(`${this.origin}${spec.path}`, this.#init(spec, controller.signal));
      if (response.status === 200 || response.status === 201) {
        const bytes = await readCapped(response, spec.maxResponseBytes ?? DEFAULT_MAX_RESPONSE, spec.what);
        return { status: response.status, headers: response.headers, bytes };
      }
      const text = await readCapped(response, MAX_ERROR_BODY, spec.what).catch(() => new Uint8Array(0));
      let body: Readonly<Record<string, unknown>> = {};
      if (response.headers.get('content-type')?.startsWith('application/json') === true) {
        try {
          body = parseJsonObject(text, spec.what);
        } catch {
          body = {};
        }
      }
      throw errorFromStatus(
        response.status,
        body,
        retryAfterMs(response.headers.get('retry-after'), this.#timers.now()),
        spec.what,
      );
    } catch (error) {
      if (error instanceof RelayError) throw error;
      if (stopped.by === 'timeout')
        throw new TimeoutError(`${spec.what}: no answer within ${timeoutMs} ms`, { cause: error });
      if (stopped.by === 'caller') throw new AbortedError(`${spec.what}: aborted`, { cause: error });
      throw new UnreachableError(`${spec.what}: the relay cannot be reached`, { cause: error });
    } finally {
      cancelTimer();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The exchange, answered by a JSON object. */
  async json(spec: RequestSpec, call?: CallOptions): Promise<Readonly<Record<string, unknown>>> {
    const response = await this.request(spec, call);
    return parseJsonObject(response.bytes, spec.what);
  }

  #init(spec: RequestSpec, signal: AbortSignal): RequestInit {
    const headers: Record<string, string> = {};
    let body: BodyInit | undefined;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.bytes !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = new Uint8Array(spec.bytes);
    }
    if (spec.auth !== undefined) {
      if ('bearer' in spec.auth) headers['authorization'] = `Bearer ${spec.auth.bearer}`;
      else headers['sealdesk-capability'] = toBase64Url(spec.auth.capability);
    }
    return {
      method: spec.method,
      headers,
      signal,
      credentials: 'omit',
      redirect: 'error',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      ...(body === undefined ? {} : { body }),
    };
  }
}
