/** TEST CODE ONLY: an HTTP origin on 127.0.0.1 (port 0) whose answers the test computes per request. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  readonly body: string | Uint8Array;
  readonly type: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TestOrigin {
  readonly origin: string;
  close(): Promise<void>;
}

export const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  json: 'application/json',
};

export async function serveOrigin(
  answer: (url: URL) => Answer | undefined | Promise<Answer | undefined>,
): Promise<TestOrigin> {
  const server = createServer((req, res) => {
    void (async () => {
      const found = await Promise.resolve(answer(new URL(req.url ?? '/', 'http://127.0.0.1'))).catch(() => undefined);
      if (found === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': found.type, 'cache-control': 'no-store', ...found.headers }).end(found.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
