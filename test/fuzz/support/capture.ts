/**
 * Capturing honest traffic to seed the fuzzers (issue #16 items 4 and 5): a fetch that records
 * every request the transport client sends (method, path, headers, body bytes) and the answer's
 * status, and the exact bytes of the client frames an honest client puts on its WebSocket.
 */
import { type ClientFrame, encodeClientFrame } from '../../../shared/wire/index.js';

export interface CapturedRequest {
  readonly method: string;
  /** Path and query, e.g. /v1/auth/login/start. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly status: number;
  readonly response: Uint8Array;
}

async function bodyBytes(body: BodyInit | null | undefined): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** A fetch for createRelayHttp that records each exchange into `log` and then performs it. */
export function recordingFetch(log: CapturedRequest[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = await bodyBytes(init?.body);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const method = init?.method ?? 'GET';
    const answer = await fetch(url, { ...init, ...(body.length > 0 ? { body: new Uint8Array(body) } : {}) });
    const response = new Uint8Array(await answer.arrayBuffer());
    log.push({ method, path: `${url.pathname}${url.search}`, headers, body, status: answer.status, response });
    return new Response(response.length === 0 && answer.status === 204 ? null : response, {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers,
    });
  };
}

/** The bytes an honest client sends for each frame, in order. */
export class FrameCapture {
  readonly frames: Uint8Array[] = [];

  encode(frame: ClientFrame): Uint8Array {
    const bytes = encodeClientFrame(frame);
    this.frames.push(bytes);
    return bytes;
  }
}
