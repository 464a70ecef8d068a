/**
 * A hostile relay in front of a real one: an HTTP proxy on 127.0.0.1 (port 0) that forwards every
 * request to the relay process and lets a test rewrite chosen answers, as an operator who controls
 * the service could. HTTP only (no WebSocket upgrade): enough for the flows that run before a
 * device goes online.
 */
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Returns the body to serve instead of the relay's, or undefined to pass the relay's answer on. */
export type Rewrite = (method: string, path: string, body: Uint8Array) => Uint8Array | undefined;

async function readAll(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const joined = Buffer.concat(chunks);
  const bytes = new Uint8Array(joined.length);
  bytes.set(joined);
  return bytes;
}

export class RewritingProxy {
  readonly #server: Server;
  rewrite: Rewrite = () => undefined;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: string): Promise<RewritingProxy> {
    const server = createServer();
    const proxy = new RewritingProxy(server);
    server.on('request', (req: IncomingMessage, res) => {
      void (async () => {
        const body = await readAll(req);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers))
          if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
        const method = req.method ?? 'GET';
        const answer = await fetch(`${target}${req.url ?? '/'}`, {
          method,
          headers,
          ...(body.length === 0 ? {} : { body }),
        });
        const relayBody = new Uint8Array(await answer.arrayBuffer());
        const served = proxy.rewrite(method, new URL(req.url ?? '/', target).pathname, relayBody) ?? relayBody;
        const out: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (name !== 'content-length' && name !== 'content-encoding' && name !== 'transfer-encoding')
            out[name] = value;
        });
        res.writeHead(answer.status, { ...out, 'content-length': String(served.length) });
        res.end(served);
      })().catch(() => {
        res.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}
