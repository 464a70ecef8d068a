/**
 * Issue #10 item 6 against a real relay process: half-sent requests from one address are capped
 * and closed after the header timeout, and the relay keeps answering others meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Socket, connect } from 'node:net';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { http } from './support/relay-api.js';

const ATTACKERS = 120;
const CAP = 16;

function halfRequest(origin: string, localAddress: string): Promise<{ socket: Socket; closed: () => boolean }> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress }, () => {
      // The headers never end (no empty line).
      socket.write('GET /healthz HTTP/1.1\r\nHost: relay\r\nX-Slow: 1\r\n');
      // Read whatever the relay answers (a 408), so its close is seen.
      socket.resume();
      resolve({ socket, closed: () => closed });
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
    });
    socket.once('error', reject);
  });
}

describe('slowloris (issue #10 item 6)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_HEADERS_TIMEOUT_MS: '1500',
      SEALDESK_PENDING_REQUESTS_PER_ADDRESS: String(CAP),
    });
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#10.6: caps half-sent requests per address, closes them after the header timeout, and serves others', async () => {
    const held = await Promise.all(
      Array.from({ length: ATTACKERS }, () => halfRequest(relay.origin, '127.0.0.7').catch(() => undefined)),
    );
    await new Promise((r) => setTimeout(r, 300));
    const open = (): number => held.filter((h) => h !== undefined && !h.closed()).length;
    // Past the cap the relay closed them at once.
    expect(open()).toBeLessThanOrEqual(CAP);
    // Another address is served meanwhile.
    expect((await http(relay.origin, 'GET', '/healthz')).status).toBe(200);
    // The ones within the cap are closed by the header timeout (1.5 s, checked every second).
    const deadline = Date.now() + 5_000;
    while (open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(open()).toBe(0);
    for (const h of held) h?.socket.destroy();
    expect((await http(relay.origin, 'GET', '/healthz')).status).toBe(200);
  });
});
