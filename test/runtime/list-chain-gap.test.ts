/**
 * #17.4 in the runtime (PROTOCOL §4.4, DeviceListGapError): a view moves one version at a time, so
 * a visitor that stored version 1 and comes back after 70 more versions must fetch every missing
 * link, not only the newest 64 the relay would hand out at once. The owner signs 70 lists (same
 * devices) and publishes them; the visitor's reload reaches version 71 and starts a conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNextDeviceList,
  decodeDeviceListBody,
  decodeSignedDeviceList,
  encodeSignedDeviceList,
} from '../../shared/protocol/index.js';
import { MemoryDatabase } from '../../shared/storage/index.js';
import { ed25519Signer } from '../../shared/transport/index.js';
import { asAccountId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { relayHttp } from '../relay/support/relay-api.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime } from './support/runtime-world.js';

describe('#17.4: a visitor far behind fetches the whole chain', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    owner = agentRuntime();
  }, 60_000);

  afterAll(async () => {
    owner.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#17.4: 70 versions later the stored view catches up link by link', async () => {
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    const accountId = (await owner.runtime.status()).accountId ?? '';
    const account = asAccountId(idBytesFromHex(accountId));
    const db = new MemoryDatabase();
    const visitor = visitorRuntime(relay.origin, accountId, pin, db);
    await visitor.runtime.start();
    await visitor.runtime.openConversation();
    visitor.runtime.dispose();
    const stored = async (): Promise<number | undefined> => {
      const store = await visitorRuntime(relay.origin, accountId, pin, db).storage.existing();
      return (await store?.directory(account))?.current?.version;
    };
    expect(await stored()).toBe(1);

    const http = relayHttp(relay.origin);
    const record = await owner.store.account();
    const keys = await owner.store.deviceKeys();
    const first = await http.directory.deviceList(account, 'latest');
    if (record?.identity === undefined || keys === undefined || first === undefined) throw new Error('no owner');
    const session = await http.auth.deviceSession({
      accountId: account,
      deviceId: keys.deviceId,
      sign: ed25519Signer(keys.signing.privateKey),
    });
    const env = { rng: (n: number) => crypto.getRandomValues(new Uint8Array(n)), now: () => Date.now() };
    let previous = decodeSignedDeviceList(first.blob);
    const devices = (await owner.runtime.devices()).length;
    for (let version = 2; version <= 71; version++) {
      const { devices: same } = decodeDeviceListBody(previous.body);
      const current = await createNextDeviceList(record.identity, previous, { devices: same }, env);
      await http.directory.putDeviceList(account, version, encodeSignedDeviceList(current), {
        bearer: session.sessionToken,
      });
      previous = current;
    }

    const back = visitorRuntime(relay.origin, accountId, pin, db);
    await back.runtime.start();
    expect(await stored()).toBe(71);
    expect(back.events.of('alert')).toEqual([]);
    expect(devices).toBe(1);
    back.runtime.dispose();
  }, 120_000);
});
