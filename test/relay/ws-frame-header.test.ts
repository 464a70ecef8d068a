/**
 * The relay writes `stored` and `deliver` frames with its own WebSocket header (RFC 6455 §5.2)
 * straight to the socket. A real `ws` client must receive exactly the payload, for every length
 * encoding (7-bit, 16-bit, 64-bit), interleaved with frames ws itself sends on the same socket.
 */
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { wsHeaderBytes, writeWsHeader } from '../../relay/ws/ws-frame-header.js';

const LENGTHS = [0, 1, 125, 126, 127, 1000, 65_535, 65_536, 70_000];

function framed(payload: Uint8Array): Uint8Array {
  const headroom = wsHeaderBytes(payload.length);
  const frame = new Uint8Array(headroom + payload.length);
  frame.set(payload, headroom);
  writeWsHeader(frame, payload.length);
  return frame;
}

describe('raw WebSocket frame headers', () => {
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  let serverSide: { ws: WebSocket; socket: Duplex } | undefined;
  let client: WebSocket;
  const received: Buffer[] = [];

  beforeAll(async () => {
    const accepted = new Promise<void>((resolve) => {
      server.on('upgrade', (req, socket, head) => {
        wss.handleUpgrade(req, socket, head, (ws) => {
          serverSide = { ws, socket };
          resolve();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    client.on('message', (data) => {
      received.push(data as Buffer);
    });
    await Promise.all([accepted, new Promise((resolve) => client.once('open', resolve))]);
  });

  afterAll(async () => {
    client.terminate();
    wss.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('uses 2, 4 and 10 header bytes at the RFC 6455 length boundaries', () => {
    expect(LENGTHS.map(wsHeaderBytes)).toEqual([2, 2, 2, 4, 4, 4, 4, 10, 10]);
  });

  it('delivers every payload intact, in order, between frames ws sends itself', async () => {
    if (serverSide === undefined) throw new Error('no server connection');
    const payloads = LENGTHS.map((n) => new Uint8Array(randomBytes(n)));
    const expected: Uint8Array[] = [];
    for (const payload of payloads) {
      serverSide.socket.write(framed(payload));
      const marker = new Uint8Array([0xee, payload.length & 0xff]);
      serverSide.ws.send(marker, { binary: true });
      expected.push(payload, marker);
    }
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => {
        reject(new Error(`received ${received.length} of ${expected.length} messages`));
      }, 5_000);
      const poll = setInterval(() => {
        if (received.length >= expected.length) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve();
        }
      }, 5);
    });
    expect(received.map((b) => new Uint8Array(b))).toEqual(expected);
    expect(client.readyState).toBe(WebSocket.OPEN);
  });
});
