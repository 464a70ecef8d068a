/**
 * PROTOCOL §4.4, §9.6: a device without the account key refreshes its directory view before each
 * archive sync. When the relay serves it a forged or rolled-back device list on THAT path alone (no
 * conversation names a newer list, so nothing else fetches one), the refusal is said with its
 * named alert, as in a conversation; nothing of the served list is adopted; once the relay is
 * honest the device takes the genuine lists and talks with a visitor. Found after the hostile PWA
 * test (F10): the archive sync refused such a list without a word (fixed in 52c6fb7).
 *
 * The owner's device talks to the relay directly; its linked device only through the hostile proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureRandom } from '../../shared/crypto/index.js';
import { decodeSignedDeviceList, encodeSignedDeviceList } from '../../shared/protocol/index.js';
import { asAccountId, asDeviceId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  agentRuntime,
  link,
  newAccount,
  visitorWrites,
  waitFor,
  waitForCurrentArchiveKey,
} from '../runtime/support/runtime-world.js';
import { bindAccount } from '../support/account-binding.js';
import { rogueDevice, withRogueDevice } from '../support/attacker.js';
import { HostileProxy } from '../support/hostile-proxy.js';

describe('§4.4, §9.6: lists a hostile relay serves to an archive sync only', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let proxy: HostileProxy;
  let owner: AgentHandle;
  let second: AgentHandle;
  let accountId = '';
  let pin = '';
  const others: AgentHandle[] = [];
  /** The device-list paths the second device asked the proxy for. */
  const listFetches: string[] = [];

  const listPath = () => `/v1/accounts/${accountId}/device-lists/`;
  const kindsOf = (a: AgentHandle) => a.events.of('alert').map((alert) => alert.kind);
  const namesOf = async (a: AgentHandle) => (await a.runtime.devices()).map((d) => d.agentName);
  const idsOf = async (a: AgentHandle) => (await a.runtime.devices()).map((d) => d.deviceId);
  const selfOf = async (a: AgentHandle) => (await a.runtime.devices()).find((d) => d.self)?.deviceId ?? '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    proxy = await HostileProxy.start(relay.origin);
    owner = agentRuntime();
    pin = (await newAccount(relay.origin, owner)).fingerprint;
    accountId = (await owner.runtime.status()).accountId ?? '';
    second = await link(proxy.origin, owner);
    await waitForCurrentArchiveKey([owner, second]);
  }, 60_000);

  afterAll(async () => {
    for (const a of [...others, second, owner]) a.runtime.dispose();
    await proxy.stop();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('a rogue device appended to the list the sync fetches: "A forged key was refused", nothing adopted; honest, the genuine list is taken', async () => {
    const env = bindAccount(
      { rng: secureRandom, now: () => Date.now() },
      { accountId: asAccountId(idBytesFromHex(accountId)), sponsorId: asDeviceId(idBytesFromHex(await selfOf(owner))) },
    );
    const rogue = await rogueDevice(env, 'Support (night shift)');
    const before = await idsOf(second);
    proxy.httpHook = (exchange) => {
      if (!exchange.path.startsWith(listPath()) || exchange.status !== 200) return undefined;
      listFetches.push(exchange.path);
      const listed = withRogueDevice(decodeSignedDeviceList(exchange.body), rogue.entry);
      return { ...exchange, body: encodeSignedDeviceList(listed) };
    };
    // A genuine list change made on the owner's device: its new epoch's grant nudges the second
    // device (§16.11), whose archive sync fetches the list. No conversation exists to name it.
    const third = await link(relay.origin, owner);
    others.push(third);
    await waitFor(() => kindsOf(second).includes('bad-signature'), 'the refusal said by the archive sync', 30_000);

    expect(second.events.of('conversation')).toEqual([]);
    expect(listFetches.length).toBeGreaterThan(0);
    expect(second.events.of('alert').find((a) => a.kind === 'bad-signature')).toMatchObject({
      severity: 'danger',
      title: 'A forged key was refused',
    });
    expect(await idsOf(second)).toEqual(before);
    expect(await namesOf(second)).not.toContain('Support (night shift)');
    expect(second.events.of('devices').flatMap((c) => c.added.map((d) => d.agentName))).not.toContain(
      'Support (night shift)',
    );

    proxy.honest();
    const thirdId = await selfOf(third);
    await waitFor(async () => {
      await second.runtime.conversations(); // a listing syncs in the background (§9.6)
      return (await idsOf(second)).includes(thirdId);
    }, 'the genuine list taken by a later sync');
    expect(await idsOf(second)).not.toContain(rogue.entry.deviceId);
  }, 60_000);

  it('an older genuine list served in the chain the sync fetches: a rollback alert, the view stays; honest, the newer lists are taken and a visitor is served', async () => {
    const third = others[0];
    if (third === undefined) throw new Error('the first test links the third device');
    const held = await idsOf(second);
    const thirdId = await selfOf(third);
    const oldest = new Uint8Array(await (await fetch(`${relay.origin}${listPath()}1`)).arrayBuffer());
    // Two genuine changes while the second device is not nudged, so its next sync fetches both.
    proxy.relayFrameHook = (frame) => (frame.type === 'nudge' ? [] : [frame]);
    await owner.runtime.revokeDevice(thirdId);
    const fourth = await link(relay.origin, owner);
    others.push(fourth);
    const newest = (await owner.runtime.devices()).length;
    proxy.relayFrameHook = undefined;
    listFetches.length = 0;
    // The chain's next-to-newest link is served as the first list (its version header kept).
    const skipped = (await latestVersion(relay.origin, accountId)) - 1;
    proxy.httpHook = (exchange) => {
      if (!exchange.path.startsWith(listPath())) return undefined;
      listFetches.push(exchange.path);
      return exchange.path === `${listPath()}${skipped}` ? { ...exchange, body: oldest } : undefined;
    };
    await waitFor(async () => {
      await second.runtime.conversations();
      return kindsOf(second).includes('rollback');
    }, 'the rollback said by the archive sync');

    expect(second.events.of('conversation')).toEqual([]);
    expect(listFetches).toContain(`${listPath()}${skipped}`);
    expect(await idsOf(second)).toEqual(held);

    proxy.honest();
    const fourthId = await selfOf(fourth);
    await waitFor(async () => {
      await second.runtime.conversations();
      return (await idsOf(second)).includes(fourthId);
    }, 'the genuine lists taken by a later sync');
    expect(await idsOf(second)).toHaveLength(newest);
    expect(await idsOf(second)).not.toContain(thirdId);

    const { visitor, conversationId } = await visitorWrites(
      relay.origin,
      { accountId, pin },
      'is my parcel on its way?',
      [second],
    );
    const reply = await second.runtime.sendText(conversationId, 'it ships tomorrow');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === reply), 'the reply at the visitor');
    expect(visitor.events.of('alert')).toEqual([]);
    visitor.runtime.dispose();
  }, 90_000);
});

/** The version the relay names for the account's newest list (header `sealdesk-version`). */
async function latestVersion(origin: string, accountId: string): Promise<number> {
  const response = await fetch(`${origin}/v1/accounts/${accountId}/device-lists/latest`);
  return Number(response.headers.get('sealdesk-version'));
}
