/**
 * Issue #16 item 2, end to end: the hostile proxy serves the visitor runtime a substituted,
 * forged, tampered or older key directory and widget configuration (PROTOCOL §4, §19). The
 * visitor refuses to start, emits the named alert in plain words and stores nothing; with the
 * proxy honest again, a visitor starts and its message reaches the agent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, generateX25519KeyPair, secureRandom, toBase64Url } from '../../shared/crypto/index.js';
import {
  createFirstDeviceList,
  decodeDeviceListBody,
  decodePrekeyBundle,
  decodeSignedDeviceList,
  encodePrekeyBundle,
  encodeSignedDeviceList,
} from '../../shared/protocol/index.js';
import { defaultWidgetConfig } from '../../shared/runtime/index.js';
import { MemoryDatabase } from '../../shared/storage/index.js';
import { asAccountId, asDeviceId, idBytesFromHex } from '../../shared/wire/index.js';
import { bindAccount } from '../support/account-binding.js';
import { rogueDevice, withRogueDevice } from '../support/attacker.js';
import { agentRuntime, link, newAccount } from '../runtime/support/runtime-world.js';
import type { HttpExchange, HttpReply } from '../support/hostile-proxy.js';
import { type HostileWorld, hostileWorld, textsOf, waitFor } from '../support/hostile-proxy-world.js';

describe('#16.2: a hostile directory and configuration through the proxy (real relay, real runtimes)', () => {
  let world: HostileWorld;
  let agentDevice = '';

  beforeAll(async () => {
    world = await hostileWorld();
    agentDevice = (await world.agent.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
  }, 60_000);

  afterEach(() => {
    world.proxy.honest();
  });

  afterAll(async () => {
    await world.stop();
  });

  const listPath = (accountId: string) => new RegExp(`^/v1/accounts/${accountId}/device-lists/`);
  const configPath = (accountId: string) => `/v1/accounts/${accountId}/widget-config`;
  const replyWith = (exchange: HttpExchange, body: Uint8Array): HttpReply => ({ ...exchange, body });

  /** A visitor that refuses to start with `error` and `alert`, stores nothing; then an honest visitor talks. */
  async function refusedThenHonest(error: string, alert: { kind: string; title: string }): Promise<void> {
    const refused = world.visitor();
    await expect(refused.runtime.start()).rejects.toMatchObject({ name: error });
    expect(refused.events.of('alert')).toMatchObject([{ ...alert, severity: 'danger' }]);
    expect(refused.events.of('message')).toEqual([]);
    expect(refused.storage.db.records.size).toBe(0);
    await expectHonestVisitorTalks();
  }

  async function expectHonestVisitorTalks(db?: MemoryDatabase): Promise<void> {
    world.proxy.honest();
    const honest = world.visitor(db);
    await honest.runtime.start();
    const { conversationId } = await honest.runtime.openConversation();
    const id = await honest.runtime.sendText('an honest question');
    await waitFor(() => world.agent.events.of('message').some((m) => m.id === id), 'the honest message at the agent');
    expect(textsOf(world.agent.events.of('message').filter((m) => m.conversationId === conversationId))).toEqual([
      'an honest question',
    ]);
  }

  it('#16.2 F1: another business’s genuine device lists served for this one: pin mismatch, "This is not the business you expect"', async () => {
    const other = agentRuntime();
    await newAccount(world.relay.origin, other, 'Mallory');
    const otherId = (await other.runtime.status()).accountId ?? '';
    other.runtime.dispose();
    world.proxy.httpHook = async (exchange) => {
      if (!listPath(world.accountId).test(exchange.path)) return undefined;
      const theirs = await fetch(`${world.relay.origin}${exchange.path.replace(world.accountId, otherId)}`);
      return {
        status: theirs.status,
        headers: Object.fromEntries(theirs.headers),
        body: new Uint8Array(await theirs.arrayBuffer()),
      };
    };
    await refusedThenHonest('PinMismatchError', { kind: 'pin-mismatch', title: 'This is not the business you expect' });
  }, 60_000);

  it('#16.2 F10: a rogue device appended to the served list breaks the account key’s signature: "A forged key was refused"', async () => {
    // The attacker's own device, with a valid proof of possession for this account: only the
    // account key's signature over the list can refuse it.
    const env = bindAccount(
      { rng: secureRandom, now: () => Date.now() },
      { accountId: asAccountId(idBytesFromHex(world.accountId)), sponsorId: asDeviceId(idBytesFromHex(agentDevice)) },
    );
    const rogue = await rogueDevice(env, 'Support (night shift)');
    world.proxy.httpHook = (exchange) => {
      if (!listPath(world.accountId).test(exchange.path) || exchange.status !== 200) return undefined;
      return replyWith(
        exchange,
        encodeSignedDeviceList(withRogueDevice(decodeSignedDeviceList(exchange.body), rogue.entry)),
      );
    };
    await refusedThenHonest('SignatureError', { kind: 'bad-signature', title: 'A forged key was refused' });
  }, 60_000);

  it('#16.2 §19.3: a widget configuration with one byte changed by the proxy is refused; the widget does not start', async () => {
    world.proxy.httpHook = (exchange) => {
      if (exchange.path !== configPath(world.accountId) || exchange.status !== 200) return undefined;
      const body = new Uint8Array(exchange.body);
      const at = Math.floor(body.length / 2);
      body[at] = (body[at] ?? 0) ^ 0x20;
      return replyWith(exchange, body);
    };
    const refused = world.visitor();
    // The typed error is what the widget's refusal screen shows (PROTOCOL §12.1); the alert is for logs and UIs.
    await expect(refused.runtime.start()).rejects.toMatchObject({ name: 'SignatureError' });
    expect(refused.events.of('alert')).toMatchObject([
      { kind: 'config-refused', severity: 'danger', title: 'The chat’s settings were forged' },
    ]);
    expect(refused.events.of('message')).toEqual([]);
    expect(refused.storage.db.records.size).toBe(0);
    await expectHonestVisitorTalks();
  }, 60_000);

  it('#16.2 §19.3: an older widget configuration served after a newer one was seen is a rollback; the same browser starts once the proxy is honest', async () => {
    const first = await fetch(`${world.relay.origin}${configPath(world.accountId)}`);
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    const db = new MemoryDatabase();
    const seen = world.visitor(db);
    await world.agent.runtime.publishWidgetConfig({ ...defaultWidgetConfig(), greeting: 'Newer greeting' });
    expect((await seen.runtime.start()).config.greeting).toBe('Newer greeting');
    await seen.runtime.openConversation();
    seen.runtime.dispose();

    world.proxy.httpHook = (exchange) =>
      exchange.path === configPath(world.accountId) ? replyWith(exchange, firstBytes) : undefined;
    const reloaded = world.visitor(db);
    await expect(reloaded.runtime.start()).rejects.toMatchObject({ name: 'RollbackError' });
    expect(reloaded.events.of('alert')).toMatchObject([
      { kind: 'config-refused', severity: 'danger', title: 'Old chat settings were offered' },
    ]);
    expect(reloaded.events.of('message')).toEqual([]);
    reloaded.runtime.dispose();
    await expectHonestVisitorTalks(db);
  }, 60_000);

  it('#16.2 F1: every prekey bundle’s signed prekey replaced by the proxy’s own key: no conversation starts and nothing is sent', async () => {
    const attacker = await generateX25519KeyPair();
    const opened: string[] = [];
    world.proxy.httpHook = (exchange) => {
      if (exchange.method === 'POST' && exchange.path.endsWith('/conversations')) opened.push(exchange.path);
      if (exchange.path !== `/v1/accounts/${world.accountId}/bundles` || exchange.status !== 200) return undefined;
      const answer = JSON.parse(new TextDecoder().decode(exchange.body)) as {
        bundles: { deviceId: string; bundle: string }[];
      };
      const bundles = answer.bundles.map((b) => {
        const bundle = decodePrekeyBundle(fromBase64Url(b.bundle));
        return { ...b, bundle: toBase64Url(encodePrekeyBundle({ ...bundle, signedPrekey: attacker.publicKey })) };
      });
      return replyWith(exchange, new TextEncoder().encode(JSON.stringify({ bundles })));
    };
    const visitor = world.visitor();
    await visitor.runtime.start();
    // PROTOCOL §5.1: no bundle verifies, so nothing is encrypted to the proxy's key and nothing is sent;
    // the refused bundles are one plain alert.
    await expect(visitor.runtime.openConversation()).rejects.toMatchObject({
      name: 'NoVerifiedBundleError',
      message: 'no agent device has a verified prekey bundle: the conversation cannot start',
    });
    expect(visitor.events.of('alert')).toMatchObject([
      { kind: 'keys-refused', severity: 'danger', title: 'The relay served keys that are not the business’s' },
    ]);
    expect(visitor.events.of('message')).toEqual([]);
    expect(opened).toEqual([]);
    expect(visitor.storage.db.records.size).toBe(0);
    await expectHonestVisitorTalks();
  }, 60_000);

  it('#16.2 F10 split view: another list of the version the agent holds, signed by the account key with a hidden device, served to one visitor: the agent refuses the first message made for it, "Two different team lists"; an honest visitor talks', async () => {
    // What a relay holding the account key (or a compromised owner) can do: sign a second list of
    // the current version for one visitor only, naming a device the team never sees.
    const identity = (await world.agent.store.account())?.identity;
    const latestPath = `/v1/accounts/${world.accountId}/device-lists/latest`;
    const served = await fetch(`${world.relay.origin}${latestPath}`);
    const honest = decodeSignedDeviceList(new Uint8Array(await served.arrayBuffer()));
    const list = decodeDeviceListBody(honest.body);
    if (identity === undefined || list.version !== 1) throw new Error('expected the owner’s key and list version 1');
    const env = bindAccount(
      { rng: secureRandom, now: () => Date.now() },
      { accountId: list.accountId, sponsorId: asDeviceId(idBytesFromHex(agentDevice)) },
    );
    const hidden = await rogueDevice(env, 'Night shift');
    const split = await createFirstDeviceList(
      identity,
      {
        devices: [...list.devices, hidden.entry],
        ...(list.recoveryKey === undefined ? {} : { recoveryKey: list.recoveryKey }),
      },
      env,
    );
    world.proxy.httpHook = (exchange) =>
      listPath(world.accountId).test(exchange.path) && exchange.status === 200
        ? replyWith(exchange, encodeSignedDeviceList(split))
        : undefined;
    const fooled = world.visitor();
    await fooled.runtime.start();
    world.proxy.honest();
    const alertsBefore = world.agent.events.of('alert').length;
    const { conversationId } = await fooled.runtime.openConversation();
    await fooled.runtime.sendText('this went to the split list');
    await waitFor(() => world.agent.events.of('alert').length > alertsBefore, 'the alert at the agent');
    expect(world.agent.events.of('alert').slice(alertsBefore)).toMatchObject([
      { kind: 'equivocation', severity: 'danger', title: 'Two different team lists' },
    ]);
    expect(world.agent.events.of('message').some((m) => m.conversationId === conversationId)).toBe(false);
    await expectHonestVisitorTalks();
  }, 60_000);

  it('#16.2 §4.4: an older device list, or none, served as the latest after this browser accepted a newer one is a rollback; the same browser starts once the proxy is honest', async () => {
    const latestPath = `/v1/accounts/${world.accountId}/device-lists/latest`;
    const first = await fetch(`${world.relay.origin}${latestPath}`);
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    const firstVersion = first.headers.get('sealdesk-version') ?? '';
    const added = await link(world.proxy.origin, world.agent);
    const db = new MemoryDatabase();
    const seen = world.visitor(db);
    await seen.runtime.start();
    await seen.runtime.openConversation();
    seen.runtime.dispose();

    const served: ((exchange: HttpExchange) => HttpReply)[] = [
      (exchange) => ({
        ...exchange,
        headers: { ...exchange.headers, 'sealdesk-version': firstVersion },
        body: firstBytes,
      }),
      () => ({
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: new TextEncoder().encode(JSON.stringify({ error: 'not-found' })),
      }),
    ];
    for (const answer of served) {
      world.proxy.httpHook = (exchange) => (exchange.path === latestPath ? answer(exchange) : undefined);
      const reloaded = world.visitor(db);
      await expect(reloaded.runtime.start()).rejects.toMatchObject({ name: 'RollbackError' });
      expect(reloaded.events.of('alert')).toMatchObject([
        { kind: 'rollback', severity: 'danger', title: 'An old team list was offered' },
      ]);
      expect(reloaded.events.of('message')).toEqual([]);
      reloaded.runtime.dispose();
    }
    added.runtime.dispose();
    await expectHonestVisitorTalks(db);
  }, 90_000);
});
