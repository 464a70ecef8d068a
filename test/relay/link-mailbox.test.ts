/**
 * #11.3: the device-linking mailbox (relay/http/link-routes.ts) against a real relay process: each
 * slot is written once and read back as it was; an empty slot is 404; a second write is refused
 * and never replaces the first; an unknown slot name is not a route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { http, randomHexId } from './support/relay-api.js';

describe('#11.3: link mailbox', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#11.3: write-once slots, read back, 404 before, 409 after', async () => {
    const linkId = randomHexId();
    const offer = `/v1/links/${linkId}/offer`;
    expect((await http(relay.origin, 'GET', offer)).status).toBe(404);
    expect((await http(relay.origin, 'PUT', offer, { body: new Uint8Array([1, 2, 3]) })).status).toBe(201);
    expect((await http(relay.origin, 'GET', offer)).bytes).toEqual(new Uint8Array([1, 2, 3]));
    const again = await http(relay.origin, 'PUT', offer, { body: new Uint8Array([9]) });
    expect(again.status).toBe(409);
    expect(again.json['error']).toBe('slot-taken');
    expect((await http(relay.origin, 'GET', offer)).bytes).toEqual(new Uint8Array([1, 2, 3]));
    expect((await http(relay.origin, 'GET', `/v1/links/${linkId}/hello`)).status).toBe(404);
    expect((await http(relay.origin, 'GET', `/v1/links/${randomHexId()}/offer`)).status).toBe(404);
    expect((await http(relay.origin, 'PUT', `/v1/links/${linkId}/secrets`, { body: new Uint8Array([1]) })).status).toBe(
      404,
    );
    expect((await http(relay.origin, 'PUT', `/v1/links/${linkId}/grant`, { body: new Uint8Array(9000) })).status).toBe(
      413,
    );
  });
});
