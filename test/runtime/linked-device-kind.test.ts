/**
 * PROTOCOL §10.2: a linked device's entry carries the kind the new device sent in its hello (signed
 * by its proof of possession), not its sponsor's: an extension links a phone, and both see a PWA.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, link, waitFor } from './support/runtime-world.js';

describe('the kind of a linked device (PROTOCOL §10.2)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    owner = agentRuntime();
    await owner.runtime.createAccount({
      relayUrl: relay.origin,
      businessName: 'Corner Shop',
      ownerName: 'Olga',
      username: `kind-${crypto.randomUUID()}@example.test`,
      password: 'correct horse battery staple',
      deviceKind: 'extension',
    });
  }, 60_000);

  afterAll(async () => {
    owner.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('a PWA linked from an extension is listed as a PWA on both devices', async () => {
    const phone = await link(relay.origin, owner, undefined, 'pwa');
    const kinds = async (agent: AgentHandle): Promise<string[][]> =>
      (await agent.runtime.devices()).map((d) => [d.kind, String(d.self)]);
    expect(await kinds(phone)).toEqual([
      ['extension', 'false'],
      ['pwa', 'true'],
    ]);
    await waitFor(() => owner.events.of('devices').length > 0, 'the owner notices the new device');
    expect(await kinds(owner)).toEqual([
      ['extension', 'true'],
      ['pwa', 'false'],
    ]);
    expect(owner.events.of('devices')[0]?.added.map((d) => d.kind)).toEqual(['pwa']);
    phone.runtime.dispose();
  }, 60_000);
});
