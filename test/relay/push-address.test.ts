/**
 * The relay's push endpoints may only be public addresses (PROTOCOL §16.9; THREAT-MODEL "Push
 * endpoints"): a device chooses the URL the relay POSTs to, so a name that resolves to this
 * machine or a private network is refused at registration and, on the address actually connected
 * to, at every send (a name that resolved elsewhere at registration and to loopback later: DNS
 * rebinding). Real DNS (`localhost` resolves to loopback on every system) and real sockets.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, InternalPushAddressError, isInternalAddress } from '../../relay/push/push-address.js';
import { refuseInternalEndpoint } from '../../relay/push/push-endpoint.js';
import { postPushMessage } from '../../relay/push/push-post.js';

function lookup(allowLoopback: boolean, hostname: string): Promise<string> {
  return new Promise((resolve, reject) => {
    guardedLookup(allowLoopback)(hostname, {}, (error, address) => {
      if (error === null) resolve(typeof address === 'string' ? address : (address[0]?.address ?? ''));
      else reject(error);
    });
  });
}

describe('push endpoints reach only public addresses', () => {
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('classifies internal address literals, IPv4 and IPv6', () => {
    for (const internal of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '[::1]',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ])
      expect([internal, isInternalAddress(internal)]).toEqual([internal, true]);
    for (const external of ['142.250.74.110', '2a00:1450:4001:81c::200a', 'fcm.googleapis.com'])
      expect([external, isInternalAddress(external)]).toEqual([external, false]);
  });

  it('the send-time lookup refuses a name that resolves to loopback, unless loopback is allowed (tests)', async () => {
    await expect(lookup(false, 'localhost')).rejects.toBeInstanceOf(InternalPushAddressError);
    expect(await lookup(true, 'localhost')).toMatch(/^(127\.|::1$)/);
  });

  it('never connects to a push endpoint whose name resolves to this machine at send time', async () => {
    const sent = postPushMessage({
      endpoint: `https://localhost:${String(port)}/push/1`,
      headers: { ttl: '60' },
      body: new Uint8Array(12),
      signal: AbortSignal.timeout(5_000),
      allowLoopbackHttp: false,
    });
    await expect(sent).rejects.toBeInstanceOf(InternalPushAddressError);
    const literal = postPushMessage({
      endpoint: `https://127.0.0.1:${String(port)}/push/1`,
      headers: {},
      body: new Uint8Array(12),
      signal: AbortSignal.timeout(5_000),
      allowLoopbackHttp: true, // loopback is allowed for plain http only
    });
    await expect(literal).rejects.toBeInstanceOf(InternalPushAddressError);
    expect(connections).toBe(0);
    // The same endpoint over plain http with the test override does connect (the server hangs up).
    await expect(
      postPushMessage({
        endpoint: `http://localhost:${String(port)}/push/1`,
        headers: {},
        body: new Uint8Array(12),
        signal: AbortSignal.timeout(5_000),
        allowLoopbackHttp: true,
      }),
    ).rejects.toThrow();
    expect(connections).toBe(1);
  });

  it('registration refuses a name resolving to an internal address, and takes one that does not resolve yet', async () => {
    await expect(refuseInternalEndpoint('https://localhost:8443/push/1', false)).rejects.toMatchObject({
      status: 400,
      code: 'bad-push-endpoint',
    });
    await expect(refuseInternalEndpoint('https://push.sealdesk-test.invalid/push/1', false)).resolves.toBeUndefined();
  });
});
