/**
 * #11.4: the agent runtime on the store the agent apps use — the Dexie adapter (shared/storage/dexie)
 * over fake-indexeddb — against a real relay process: the account created, a visitor's messages
 * received and answered, then the runtime made again on the same database (as after the extension's
 * service worker was killed): same device, same history, and the next message still decrypts.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_RECORD_VERSIONS, type RuntimeShapes } from '../../shared/runtime/index.js';
import { openDexieStore } from '../../shared/storage/dexie/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { agentRuntimeOn, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

const texts = (messages: readonly { body: { kind: string; text?: string } }[]): string[] =>
  messages.map((m) => m.body.text ?? m.body.kind);

describe('#11.4: the agent runtime over Dexie (fake-indexeddb)', () => {
  const data = makeDataDir();
  const indexedDB = new IDBFactory();
  let relay: RelayProcess;

  const openAgent = async () =>
    agentRuntimeOn(
      await openDexieStore<RuntimeShapes>({
        name: 'sealdesk-agent',
        acceptedVersions: RUNTIME_RECORD_VERSIONS,
        indexedDB,
        IDBKeyRange,
      }),
    );

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
  }, 60_000);

  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#11.4: creates the account, converses, and resumes from the same database after a restart', async () => {
    const first = await openAgent();
    const created = await newAccount(relay.origin, first);
    const status = await first.runtime.status();
    const accountId = status.accountId ?? '';

    const visitor = visitorRuntime(relay.origin, accountId, created.fingerprint);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    await visitor.runtime.sendText('Is the shop open on Sunday?');
    await waitFor(() => first.events.of('message').length === 1, 'the first visitor message');
    await first.runtime.sendText(conversationId, 'Yes, from 10 to 16.');
    await waitFor(() => visitor.events.of('message').some((m) => m.from === 'agent'), 'the reply');
    const deviceBefore = (await first.runtime.devices()).find((d) => d.self)?.deviceId;
    first.runtime.dispose();

    const second = await openAgent();
    try {
      expect(await second.runtime.status()).toEqual(status);
      expect((await second.runtime.devices()).find((d) => d.self)?.deviceId).toBe(deviceBefore);
      expect(texts(await second.runtime.history(conversationId))).toEqual([
        'Is the shop open on Sunday?',
        'Yes, from 10 to 16.',
      ]);
      await visitor.runtime.sendText('Great, see you then');
      await waitFor(() => second.events.of('message').length === 1, 'a message after the restart');
      expect(texts(second.events.of('message'))).toEqual(['Great, see you then']);
      expect(second.events.of('alert')).toEqual([]);
    } finally {
      second.runtime.dispose();
      visitor.runtime.dispose();
    }
  });
});
