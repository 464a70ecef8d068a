/**
 * #17.4 in the runtime (PROTOCOL §4.2, §4.4): a device list carries notAfter (30 days) and a visitor
 * refuses an expired one, so the owner device re-signs the same devices as the next version before
 * it expires (listNeedsResigning, 7 days ahead). The owner's device restarts 24 days later on a
 * shifted clock: version 2 is published with a later notAfter and the same devices, and a visitor
 * whose clock is 32 days ahead (past version 1's notAfter) still starts a conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDeviceListBody, decodeSignedDeviceList } from '../../shared/protocol/index.js';
import { type Timers, systemTimers } from '../../shared/transport/index.js';
import { asAccountId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { relayHttp } from '../relay/support/relay-api.js';
import { agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

const DAY_MS = 86_400_000;

describe('#17.4: the owner re-signs the device list before it expires', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
  }, 60_000);

  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#17.4: a restart 24 days later publishes version 2 with the same devices and a later notAfter', async () => {
    const clock = { offset: 0 };
    const timers: Timers = { now: () => Date.now() + clock.offset, after: (ms, cb) => systemTimers.after(ms, cb) };
    const owner = agentRuntime(undefined, timers);
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    const accountId = (await owner.runtime.status()).accountId ?? '';
    const account = asAccountId(idBytesFromHex(accountId));
    const http = relayHttp(relay.origin);
    const latest = async (): Promise<ReturnType<typeof decodeDeviceListBody> | undefined> => {
      const blob = await http.directory.deviceList(account, 'latest');
      return blob === undefined ? undefined : decodeDeviceListBody(decodeSignedDeviceList(blob.blob).body);
    };
    const first = await latest();
    expect(first?.version).toBe(1);
    owner.runtime.dispose();

    clock.offset = 24 * DAY_MS;
    const later = agentRuntime(owner.db, timers);
    await later.runtime.status();
    await waitFor(async () => (await latest())?.version === 2, 'version 2 published', 20_000);
    const second = await latest();
    expect(second?.notAfter).toBeGreaterThan((first?.notAfter ?? 0) + 20 * DAY_MS);
    expect(second?.devices.map((d) => d.deviceId)).toEqual(first?.devices.map((d) => d.deviceId));
    expect((await later.runtime.devices()).length).toBe(1);

    // A visitor 32 days ahead: version 1 is past its notAfter, version 2 is not.
    const visitor = visitorRuntime(relay.origin, accountId, pin, undefined, undefined, {
      now: () => Date.now() + 32 * DAY_MS,
      after: (ms, cb) => systemTimers.after(ms, cb),
    });
    await visitor.runtime.start();
    await visitor.runtime.openConversation();
    visitor.runtime.dispose();
    later.runtime.dispose();
  }, 60_000);
});
