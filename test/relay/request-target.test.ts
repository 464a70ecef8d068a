/**
 * Request targets that do not parse as a path (issue #16 item 5, found by test/fuzz/relay.fuzz.test.ts):
 * `//…` reads as a URL with an empty or invalid host, so `new URL` throws. On a plain request
 * that was a 500 `internal` (and an error log line); on a WebSocket upgrade the throw escaped the
 * `upgrade` listener and ended the relay process: one unauthenticated request took it down.
 * Also: a body cut short by the client (fewer bytes than its content-length, then the close) was an
 * untyped failure logged at error level, which any client could repeat at will.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { http } from './support/relay-api.js';

/** Sends `text` on a fresh TCP connection and returns what came back before the close (or 2 s). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((done) => {
    let got = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const timer = setTimeout(() => {
      socket.destroy();
      done(got);
    }, 2_000);
    socket.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      done(got);
    });
    socket.on('error', () => undefined);
  });
}

const UNPARSABLE = ['//', '//%b6%fe/v1/ws', '//[/v1/ws'];

describe('request targets that are not paths', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let port: number;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    port = Number(new URL(relay.origin).port);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#16.5: a request target that does not parse as a path (//) is a 400 bad-request JSON error, not a 500', async () => {
    for (const target of UNPARSABLE) {
      for (const method of ['GET', 'POST']) {
        const answer = await raw(
          port,
          `${method} ${target} HTTP/1.1\r\nhost: relay\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
        );
        expect(answer.split('\r\n')[0], `${method} ${target}`).toBe('HTTP/1.1 400 Bad Request');
        expect(answer).toContain('"error":"bad-request"');
      }
    }
    expect(relay.output()).not.toContain('"level":"error"');
  });

  it('#16.5: a WebSocket upgrade to a target that does not parse (//) is refused with 404 and the relay keeps running', async () => {
    for (const target of UNPARSABLE) {
      const answer = await raw(
        port,
        `GET ${target} HTTP/1.1\r\nhost: relay\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
          'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n',
      );
      expect(answer.split('\r\n')[0], target).toBe('HTTP/1.1 404 Not Found');
    }
    expect(relay.child.exitCode).toBeNull();
    expect((await http(relay.origin, 'GET', '/healthz')).status).toBe(200);
  });

  it('#16.5: a body that ends before its content-length is a typed bad request, not an error-level failure', async () => {
    const before = relay.output().length;
    for (const path of ['/v1/auth/login/start', '/v1/auth/register/start']) {
      await raw(
        port,
        `POST ${path} HTTP/1.1\r\nhost: relay\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"username":`,
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    const lines = relay.output().slice(before).split('\n');
    expect(lines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    expect(lines.filter((l) => l.includes('"event":"http.request"') && l.includes('"status":400')).length).toBe(2);
  });
});
