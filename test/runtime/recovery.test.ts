/**
 * Recovery with the password and the recovery key when every device is lost (PROTOCOL §11.2, §11.4,
 * §16.8; issue #13 item 2), against a real relay process: the backup stored at account creation,
 * storage dropped, a wrong password / a mistyped key / another account's key changing nothing, the
 * right pair making a new owner device that signs the next list (the lost device removed) and talks
 * to a new visitor under the same pin; a relay (a proxy in front of the real one) that serves a
 * substituted backup is caught before anything changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, SignatureError } from '../../shared/errors/index.js';
import { RecoveryKeyRejectedError } from '../../shared/runtime/index.js';
import { UnauthorizedError } from '../../shared/transport/index.js';
import { b64, http, login, unb64 } from '../relay/support/relay-api.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { RewritingProxy } from './support/rewriting-proxy.js';
import { type AgentHandle, agentRuntime, visitorRuntime, waitFor } from './support/runtime-world.js';

const PASSWORD = 'correct horse battery staple';

interface Owner {
  readonly username: string;
  readonly accountId: string;
  readonly pin: string;
  readonly recoveryKey: string;
}

async function createOwner(origin: string, agent: AgentHandle): Promise<Owner> {
  const username = `recovery-${crypto.randomUUID()}@example.test`;
  const created = await agent.runtime.createAccount({
    relayUrl: origin,
    businessName: 'Corner Shop',
    ownerName: 'Olga',
    username,
    password: PASSWORD,
    deviceKind: 'extension',
  });
  const accountId = (await agent.runtime.status()).accountId ?? '';
  return { username, accountId, pin: created.fingerprint, recoveryKey: created.recoveryKey };
}

async function latestListVersion(origin: string, accountId: string): Promise<string | null> {
  return (await http(origin, 'GET', `/v1/accounts/${accountId}/device-lists/latest`)).headers.get('sealdesk-version');
}

/** A recovery attempt that must fail: its error, and proof that nothing changed (store, relay). */
async function failedRecovery(
  origin: string,
  owner: Owner,
  change: { password?: string; recoveryKey?: string; relayUrl?: string },
): Promise<unknown> {
  const before = await latestListVersion(origin, owner.accountId);
  const fresh = agentRuntime();
  const error: unknown = await fresh.runtime
    .recoverWithRecoveryKey({
      relayUrl: change.relayUrl ?? origin,
      username: owner.username,
      password: change.password ?? PASSWORD,
      recoveryKey: change.recoveryKey ?? owner.recoveryKey,
      deviceKind: 'pwa',
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(fresh.db.records.size).toBe(0);
  expect((await fresh.runtime.status()).enrolled).toBe(false);
  expect(await latestListVersion(origin, owner.accountId)).toBe(before);
  fresh.runtime.dispose();
  return error;
}

describe('recovery with the password and the recovery key (PROTOCOL §11.4)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let proxy: RewritingProxy;
  let owner: Owner;
  let other: Owner;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    proxy = await RewritingProxy.start(relay.origin);
    const first = agentRuntime();
    owner = await createOwner(relay.origin, first);
    // Every device lost: the only one is gone with its storage.
    first.runtime.dispose();
    const second = agentRuntime();
    other = await createOwner(relay.origin, second);
    second.runtime.dispose();
  }, 60_000);

  afterAll(async () => {
    await proxy.stop();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('refuses a wrong password, a mistyped key and another account’s key, changing nothing', async () => {
    expect(await failedRecovery(relay.origin, owner, { password: 'not the password' })).toBeInstanceOf(
      UnauthorizedError,
    );
    const typo = owner.recoveryKey.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    expect(await failedRecovery(relay.origin, owner, { recoveryKey: typo })).toBeInstanceOf(DecodeError);
    expect(await failedRecovery(relay.origin, owner, { recoveryKey: other.recoveryKey })).toBeInstanceOf(
      RecoveryKeyRejectedError,
    );
  }, 60_000);

  it('detects a relay that serves a substituted backup (AEAD, signature) before anything changes', async () => {
    const path = `/v1/accounts/${owner.accountId}/identity-backup`;
    const otherStored = await otherBackup(relay.origin, other);
    const substitutes: [string, (honest: Record<string, string>) => Record<string, string>, unknown][] = [
      ['another account’s backup', () => otherStored, RecoveryKeyRejectedError],
      ['a flipped ciphertext byte', (h) => ({ ...h, backup: flipLast(h['backup'] ?? '') }), RecoveryKeyRejectedError],
      ['a flipped signature byte', (h) => ({ ...h, signature: flipLast(h['signature'] ?? '') }), SignatureError],
      ['another account key', (h) => ({ ...h, accountKey: otherStored['accountKey'] ?? '' }), SignatureError],
    ];
    for (const [, substitute, expected] of substitutes) {
      proxy.rewrite = (method, at, body) => {
        if (method !== 'GET' || at !== path) return undefined;
        const honest = JSON.parse(new TextDecoder().decode(body)) as Record<string, string>;
        return new TextEncoder().encode(JSON.stringify(substitute(honest)));
      };
      expect(await failedRecovery(relay.origin, owner, { relayUrl: proxy.origin })).toBeInstanceOf(expected);
    }
    proxy.rewrite = () => undefined;
  }, 60_000);

  it('makes a new owner device with the right pair: same pin, lost device removed, a visitor served', async () => {
    const recovered = agentRuntime();
    const steps: number[] = [];
    await recovered.runtime.recoverWithRecoveryKey(
      {
        relayUrl: relay.origin,
        username: owner.username,
        password: PASSWORD,
        recoveryKey: owner.recoveryKey.toUpperCase(),
        deviceKind: 'pwa',
      },
      (done) => steps.push(done),
    );
    expect(steps.at(-1)).toBe(5);
    expect(await recovered.runtime.status()).toMatchObject({ enrolled: true, accountId: owner.accountId });
    expect(await recovered.runtime.fingerprint()).toBe(owner.pin);
    expect(await latestListVersion(relay.origin, owner.accountId)).toBe('2');
    const devices = await recovered.runtime.devices();
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ kind: 'pwa', role: 'owner', agentName: 'Olga', self: true });
    expect(devices[0]?.sponsor).toBe(devices[0]?.deviceId);
    // The relay forgot the lost device: only the new one has a bundle for visitors.
    const bundles = await http(relay.origin, 'GET', `/v1/accounts/${owner.accountId}/bundles`);
    expect((bundles.json['bundles'] as { deviceId: string }[]).map((b) => b.deviceId)).toEqual([devices[0]?.deviceId]);
    const changed = recovered.events.of('devices');
    expect(changed).toHaveLength(1);
    expect(changed[0]?.removed.map((d) => d.kind)).toEqual(['extension']);

    // The account key is back on this device: it signs the widget configuration.
    await recovered.runtime.publishWidgetConfig({
      businessName: 'Corner Shop',
      greeting: 'We are back.',
      colour: '#225588',
      position: 'bottom-right',
      language: 'en',
      expectedReplyMinutes: 5,
      businessHours: [],
      timeZone: 'Europe/Berlin',
    });
    const visitor = visitorRuntime(relay.origin, owner.accountId, owner.pin);
    const ready = await visitor.runtime.start();
    expect(ready.config.greeting).toBe('We are back.');
    const { conversationId } = await visitor.runtime.openConversation();
    const hello = await visitor.runtime.sendText('is anyone there?');
    await waitFor(() => recovered.events.of('message').some((m) => m.id === hello), 'the recovered device reads it');
    const reply = await recovered.runtime.sendText(conversationId, 'Yes, all devices are new.');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === reply), 'the visitor reads the reply');
    expect(visitor.events.of('alert')).toEqual([]);
    expect(recovered.events.of('alert')).toEqual([]);
    visitor.runtime.dispose();
    recovered.runtime.dispose();
  }, 60_000);

  it('keeps the old devices when asked (keepOldDevices): the new owner device joins them', async () => {
    const recovered = agentRuntime();
    await recovered.runtime.recoverWithRecoveryKey({
      relayUrl: relay.origin,
      username: other.username,
      password: PASSWORD,
      recoveryKey: other.recoveryKey,
      deviceKind: 'pwa',
      keepOldDevices: true,
    });
    const devices = await recovered.runtime.devices();
    expect(devices.map((d) => [d.kind, d.role, d.self])).toEqual([
      ['extension', 'owner', false],
      ['pwa', 'owner', true],
    ]);
    expect(recovered.events.of('devices')[0]?.removed).toEqual([]);
    const bundles = await http(relay.origin, 'GET', `/v1/accounts/${other.accountId}/bundles`);
    expect(bundles.json['bundles']).toHaveLength(2);
    recovered.runtime.dispose();
  }, 60_000);
});

/** The other account's stored backup, as its owner's password login reads it. */
async function otherBackup(origin: string, other: Owner): Promise<Record<string, string>> {
  const session = await login(origin, other.username, PASSWORD);
  if (session === undefined) throw new Error('login failed');
  const got = await http(origin, 'GET', `/v1/accounts/${other.accountId}/identity-backup`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  expect(got.status).toBe(200);
  return got.json as Record<string, string>;
}

function flipLast(text: string): string {
  const bytes = unb64(text);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  return b64(bytes);
}
