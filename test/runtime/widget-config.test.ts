/**
 * #11.3 (PROTOCOL §19.3): the signed widget configuration through the runtimes and a real relay.
 * The owner publishes version after version; the visitor shows the newest and stores what it
 * accepted with its account data; a relay that serves an older configuration again is refused on
 * the next reload (RollbackError), and a visitor that never stored anything has nothing to compare.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519Signer } from '../../shared/transport/index.js';
import { defaultWidgetConfig } from '../../shared/runtime/index.js';
import { MemoryDatabase } from '../../shared/storage/index.js';
import { asAccountId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { relayHttp } from '../relay/support/relay-api.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime } from './support/runtime-world.js';

describe('#11.3: signed widget configuration', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;
  let accountId = '';
  let pin = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    owner = agentRuntime();
    pin = (await newAccount(relay.origin, owner)).fingerprint;
    accountId = (await owner.runtime.status()).accountId ?? '';
  }, 60_000);

  afterAll(async () => {
    owner.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('§19: a new account publishes a first signed configuration naming the business', async () => {
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    const ready = await visitor.runtime.start();
    expect(ready.config).toEqual({
      ...defaultWidgetConfig(),
      businessName: 'Corner Shop',
      greeting: 'Hello! How can we help you today?',
    });
    expect(ready.business.name).toBe('Corner Shop');
    visitor.runtime.dispose();
  });

  it('§19: a business name the configuration cannot carry is refused before any account exists', async () => {
    const fresh = agentRuntime();
    await expect(
      fresh.runtime.createAccount({
        relayUrl: relay.origin,
        businessName: 'x'.repeat(65),
        ownerName: 'Olga',
        username: `long-${crypto.randomUUID()}@example.test`,
        password: 'correct horse battery staple',
        deviceKind: 'pwa',
      }),
    ).rejects.toMatchObject({ name: 'UsageError' });
    expect(await fresh.runtime.status()).toEqual({ enrolled: false });
    fresh.runtime.dispose();
  });

  it('#11.3: versions move forward; an older configuration served again is refused after a reload', async () => {
    const account = asAccountId(idBytesFromHex(accountId));
    const http = relayHttp(relay.origin);
    const first = { ...defaultWidgetConfig(), businessName: 'Bakery', greeting: 'Hello' };
    await owner.runtime.publishWidgetConfig(first);
    expect(await owner.runtime.widgetConfig()).toEqual(first);
    const firstBytes = await http.directory.widgetConfig(account);

    const db = new MemoryDatabase();
    const visitor = visitorRuntime(relay.origin, accountId, pin, db);
    expect((await visitor.runtime.start()).config).toEqual(first);
    await visitor.runtime.openConversation();
    visitor.runtime.dispose();

    const second = { ...first, greeting: 'Hello again' };
    await owner.runtime.publishWidgetConfig(second);
    const reloaded = visitorRuntime(relay.origin, accountId, pin, db);
    expect((await reloaded.runtime.start()).config).toEqual(second);
    reloaded.runtime.dispose();

    // The relay serves version 1 again (written back with the owner device's own session).
    const keys = await owner.store.deviceKeys();
    if (keys === undefined || firstBytes === undefined) throw new Error('no device keys or first configuration');
    const session = await http.auth.deviceSession({
      accountId: account,
      deviceId: keys.deviceId,
      sign: ed25519Signer(keys.signing.privateKey),
    });
    await http.directory.putWidgetConfig(account, firstBytes, { bearer: session.sessionToken });
    const rolledBack = visitorRuntime(relay.origin, accountId, pin, db);
    await expect(rolledBack.runtime.start()).rejects.toMatchObject({ name: 'RollbackError' });
    rolledBack.runtime.dispose();

    // A browser that accepted nothing before cannot tell; it shows what it gets.
    const fresh = visitorRuntime(relay.origin, accountId, pin);
    expect((await fresh.runtime.start()).config).toEqual(first);
    fresh.runtime.dispose();
  }, 60_000);
});
