/**
 * A hostile service in front of a REAL relay process (issue #16 item 1): an intercepting HTTP and
 * WebSocket proxy on 127.0.0.1, port 0. Clients (the runtimes, a browser) are pointed at the
 * proxy's origin; the proxy forwards to the relay and lets a test substitute, inject, drop,
 * duplicate, delay, reorder and rewrite anything served or forwarded: device lists, prekey
 * bundles, the widget configuration, widget files, attachment chunks, ciphertext frames.
 *
 * WebSocket frames are decoded with the project's codecs (decodeClientFrame / decodeRelayFrame,
 * PROTOCOL §16), so hooks act on typed frames. The proxy numbers deliver frames towards the client
 * itself (per queue: the device or the conversation of the hello) and translates the client's acks
 * and resume points back to relay cursors, so that inserted, repeated or held frames keep the
 * client's cursors strictly growing (§16.3.4) while the relay sees ordinary acks.
 *
 * Every byte on the proxy's sockets is recorded (`captured`): what the canary search reads.
 */
import { type IncomingHttpHeaders, type IncomingMessage, type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import {
  type ClientFrame,
  type RelayFrame,
  decodeClientFrame,
  decodeRelayFrame,
  encodeClientFrame,
  encodeRelayFrame,
  idToHex,
} from '../../shared/wire/index.js';

/** One HTTP exchange as the relay answered it; a hook returns what the client gets instead. */
export interface HttpExchange {
  readonly method: string;
  /** Path and query, e.g. `/v1/accounts/<id>/device-lists/latest`. */
  readonly path: string;
  readonly requestBody: Uint8Array;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** `undefined`: serve the relay's answer unchanged. */
export type HttpHook = (exchange: HttpExchange) => HttpReply | undefined | Promise<HttpReply | undefined>;

/** `undefined`: forward unchanged; an array: forward these instead (empty = drop, two = duplicate …). */
export type RelayFrameHook = (frame: RelayFrame, socket: ProxiedSocket) => readonly RelayFrame[] | undefined;
export type ClientFrameHook = (frame: ClientFrame, socket: ProxiedSocket) => readonly ClientFrame[] | undefined;

/** Which relay queue a socket reads: `device:<hex>` or `visitor:<conversation hex>`. */
export type QueueKey = string;

/** Proxy cursors handed to a client for one queue, and the relay cursor each stands for (0: injected). */
class CursorMap {
  private next = 1;
  private readonly relayOf = new Map<number, number>();

  issue(relayCursor: number): number {
    const cursor = this.next++;
    this.relayOf.set(cursor, relayCursor);
    return cursor;
  }

  /** The highest relay cursor a client's "everything up to `cursor`" covers. */
  relayUpTo(cursor: number): number {
    let best = 0;
    for (const [mine, relay] of this.relayOf) if (mine <= cursor && relay > best) best = relay;
    return best;
  }
}

export class ProxiedSocket {
  queue: QueueKey | undefined;

  constructor(
    private readonly proxy: HostileProxy,
    private readonly client: WebSocket,
    private readonly upstream: WebSocket,
    private readonly pendingUp: Uint8Array[],
  ) {}

  /** Sends `frame` to the client; a deliver frame gets the next client cursor (its own cursor: the relay's, 0 if injected). */
  toClient(frame: RelayFrame): void {
    let out = frame;
    if (frame.type === 'deliver') out = { ...frame, cursor: this.proxy.cursorsOf(this.queue).issue(frame.cursor) };
    const bytes = encodeRelayFrame(out);
    this.proxy.record(bytes);
    if (this.client.readyState === WebSocket.OPEN) this.client.send(bytes);
  }

  /** Sends `frame` to the relay; acks and resume points are translated to relay cursors. */
  toRelay(frame: ClientFrame): void {
    let out = frame;
    const cursors = this.proxy.cursorsOf(this.queue);
    if (frame.type === 'ack') out = { ...frame, cursor: cursors.relayUpTo(frame.cursor) };
    if (frame.type === 'hello-device' || frame.type === 'hello-visitor')
      out = { ...frame, resumeAfter: frame.resumeAfter === 0 ? 0 : cursors.relayUpTo(frame.resumeAfter) };
    const bytes = encodeClientFrame(out);
    this.proxy.record(bytes);
    if (this.upstream.readyState === WebSocket.OPEN) this.upstream.send(bytes);
    else this.pendingUp.push(bytes);
  }

  /** Cuts both sides without a close handshake. */
  cut(): void {
    this.client.terminate();
    this.upstream.terminate();
  }
}

export class HostileProxy {
  readonly origin: string;
  readonly wsUrl: string;
  httpHook: HttpHook | undefined;
  relayFrameHook: RelayFrameHook | undefined;
  clientFrameHook: ClientFrameHook | undefined;
  /** Every byte both ways: request and response heads and bodies, WebSocket messages. */
  readonly captured: Uint8Array[] = [];
  readonly sockets: ProxiedSocket[] = [];
  private readonly cursors = new Map<QueueKey, CursorMap>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  private constructor(
    private readonly server: Server,
    private readonly relayOrigin: URL,
  ) {
    const { port } = server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/v1/ws`;
  }

  /** Listens on 127.0.0.1:0 in front of the relay at `relayOrigin`. */
  static async start(relayOrigin: string): Promise<HostileProxy> {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const proxy = new HostileProxy(server, new URL(relayOrigin));
    server.on('request', (req, res) => {
      void proxy.forwardHttp(req).then(
        (reply) => {
          proxy.record(new TextEncoder().encode(`${reply.status} ${JSON.stringify(reply.headers)}`), reply.body);
          res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
          res.end(reply.body);
        },
        (error: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`proxy: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      proxy.wss.handleUpgrade(req, socket, head, (client) => {
        proxy.bridge(client, req.url ?? '/v1/ws');
      });
    });
    return proxy;
  }

  /** Removes every hook: the proxy forwards honestly again. */
  honest(): void {
    this.httpHook = undefined;
    this.relayFrameHook = undefined;
    this.clientFrameHook = undefined;
  }

  record(...chunks: Uint8Array[]): void {
    for (const c of chunks) this.captured.push(new Uint8Array(c));
  }

  cursorsOf(queue: QueueKey | undefined): CursorMap {
    const key = queue ?? '';
    let map = this.cursors.get(key);
    if (map === undefined) {
      map = new CursorMap();
      this.cursors.set(key, map);
    }
    return map;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.cut();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((done) =>
      this.server.close(() => {
        done();
      }),
    );
  }

  private async forwardHttp(req: IncomingMessage): Promise<HttpReply> {
    const requestBody = await readAll(req);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    this.record(new TextEncoder().encode(`${method} ${path} ${JSON.stringify(req.headers)}`), requestBody);
    const answer = await new Promise<{ status: number; headers: Record<string, string>; body: Uint8Array }>(
      (done, fail) => {
        const upstream = request(
          {
            host: this.relayOrigin.hostname,
            port: this.relayOrigin.port,
            method,
            path,
            headers: { ...req.headers, host: this.relayOrigin.host },
          },
          (res) => {
            void readAll(res).then((body) => {
              done({ status: res.statusCode ?? 502, headers: plainHeaders(res.headers), body });
            }, fail);
          },
        );
        upstream.on('error', fail);
        upstream.end(requestBody);
      },
    );
    const exchange: HttpExchange = { method, path, requestBody, ...answer };
    return (await this.httpHook?.(exchange)) ?? answer;
  }

  private bridge(client: WebSocket, path: string): void {
    const upstream = new WebSocket(new URL(path, this.relayOrigin.href.replace(/^http/, 'ws')), {
      perMessageDeflate: false,
    });
    const pendingUp: Uint8Array[] = [];
    const socket = new ProxiedSocket(this, client, upstream, pendingUp);
    this.sockets.push(socket);
    upstream.on('open', () => {
      for (const bytes of pendingUp.splice(0)) upstream.send(bytes);
    });
    client.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data);
      let frame: ClientFrame;
      try {
        frame = decodeClientFrame(bytes);
      } catch {
        // Not a frame: forwarded as it came (the relay answers it).
        this.record(bytes);
        if (upstream.readyState === WebSocket.OPEN) upstream.send(bytes);
        else pendingUp.push(bytes);
        return;
      }
      if (frame.type === 'hello-device') socket.queue = `device:${idToHex(frame.deviceId)}`;
      if (frame.type === 'hello-visitor') socket.queue = `visitor:${idToHex(frame.conversationId)}`;
      for (const f of this.clientFrameHook?.(frame, socket) ?? [frame]) socket.toRelay(f);
    });
    upstream.on('message', (data: Buffer) => {
      const frame = decodeRelayFrame(new Uint8Array(data));
      for (const f of this.relayFrameHook?.(frame, socket) ?? [frame]) socket.toClient(f);
    });
    client.on('close', () => {
      upstream.close();
    });
    upstream.on('close', () => {
      client.close();
    });
    client.on('error', () => {
      upstream.terminate();
    });
    upstream.on('error', () => {
      client.terminate();
    });
  }
}

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name))
      continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return new Uint8Array(Buffer.concat(chunks));
}
