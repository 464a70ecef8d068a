/**
 * A JSON request from a chosen local address (127.0.0.x: Linux routes all of 127/8 to loopback),
 * so one test can play several visitor addresses against one relay.
 */
import { request } from 'node:http';

export interface FromAnswer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

export function httpFrom(
  localAddress: string,
  origin: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<FromAnswer> {
  const url = new URL(path, origin);
  const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        localAddress,
        agent: false,
        headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const parsed: unknown =
            res.headers['content-type']?.startsWith('application/json') === true ? JSON.parse(text) : {};
          resolve({ status: res.statusCode ?? 0, json: parsed as Record<string, unknown> });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
