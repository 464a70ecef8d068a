/** Writing HTTP responses: small JSON objects or opaque bytes, never cached, never sniffed. */
import type { ServerResponse } from 'node:http';

const COMMON = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  bytes: Uint8Array,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...COMMON,
    ...headers,
    'content-type': 'application/octet-stream',
    'content-length': bytes.length,
  });
  res.end(bytes);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string): void {
  res.writeHead(status, { ...COMMON, 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
