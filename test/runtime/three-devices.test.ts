/**
 * #11.3/#11.4: an account with three agent devices, the second and third linked through the relay's
 * link mailbox (commit-then-reveal, both screens' codes compared): a visitor reaches all three,
 * each device's reply reaches the visitor and the sibling devices; a device revoked
 * mid-conversation receives nothing afterwards. Also: a mismatch of the codes releases nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../shared/crypto/index.js';
import { type LinkPhase, memoryStore } from '../../shared/runtime/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  agentRuntime,
  codeOf,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
} from './support/runtime-world.js';

describe('#11.4: three agent devices', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;
  let accountId = '';
  let pin = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    owner = agentRuntime();
    pin = (await newAccount(relay.origin, owner)).fingerprint;
    accountId = (await owner.runtime.status()).accountId ?? '';
  }, 60_000);

  afterAll(async () => {
    owner.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#11.4: linked devices get the conversation; a revoked one gets nothing afterwards', async () => {
    const second = await link(relay.origin, owner);
    const third = await link(relay.origin, owner);
    expect((await owner.runtime.devices()).map((d) => d.self)).toEqual([true, false, false]);
    expect(await second.runtime.fingerprint()).toBe(pin);

    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const hello = await visitor.runtime.sendText('hello team');
    const all = [owner, second, third];
    for (const a of all) await waitFor(() => a.events.of('message').some((m) => m.id === hello), 'every device');

    const reply = await second.runtime.sendText(conversationId, 'second device here');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === reply), 'the reply at the visitor');
    for (const a of [owner, third]) {
      await waitFor(() => a.events.of('message').some((m) => m.id === reply), 'the reply at the siblings');
      expect(a.events.of('message').find((m) => m.id === reply)?.from).toBe('agent');
    }

    // The owner revokes the third device; its next message names the new list, so the visitor
    // fetches it and stops encrypting to the revoked device (PROTOCOL §7.6, F10).
    const thirdId = (await third.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    await owner.runtime.revokeDevice(thirdId);
    const notice = await owner.runtime.sendText(conversationId, 'the third device was removed');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === notice), 'the notice');
    const thirdBefore = third.events.of('message').length;
    const secret = await visitor.runtime.sendText('only for current devices');
    for (const a of [owner, second])
      await waitFor(() => a.events.of('message').some((m) => m.id === secret), 'delivery');
    await new Promise((r) => setTimeout(r, 500));
    expect(third.events.of('message').length).toBe(thirdBefore);
    // Not only the relay's refusal: the visitor holds no session with the revoked device any more.
    const stored = memoryStore(visitor.storage.db);
    const [id] = await stored.conversationIds();
    const record = id === undefined ? undefined : await stored.conversation(id);
    const peers = (record?.protocol.sessions ?? []).map((s) => toHex(s.peerId));
    expect(peers).not.toContain(thirdId);
    // The sibling learned of the revocation from the owner's frame (PROTOCOL §7.6) and says so.
    await waitFor(
      () => second.events.of('devices').some((d) => d.removed.some((r) => r.deviceId === thirdId)),
      'the removal shown on the second device',
    );
    expect(record?.protocol.deviceList.devices).toHaveLength(2);
    expect(visitor.events.of('alert')).toEqual([]);
    for (const a of [second, third]) a.runtime.dispose();
    visitor.runtime.dispose();
  }, 120_000);

  it('#11.4: codes that differ release nothing', async () => {
    const added = agentRuntime();
    const phases: LinkPhase[] = [];
    added.runtime.on('link', (p) => phases.push(p));
    const ownerPhases: LinkPhase[] = [];
    const stop = owner.runtime.on('link', (p) => ownerPhases.push(p));
    const before = (await owner.runtime.devices()).length;
    const { qr } = await owner.runtime.startLinkAsExistingDevice();
    await added.runtime.linkAsNewDevice({ relayUrl: relay.origin, scanned: qr, deviceKind: 'pwa' });
    await waitFor(() => codeOf(ownerPhases) !== undefined && codeOf(phases) !== undefined, 'both codes');
    await owner.runtime.confirmLink(false);
    await added.runtime.confirmLink(false);
    stop();
    expect(ownerPhases.at(-1)?.phase).toBe('aborted');
    expect(phases.at(-1)?.phase).toBe('aborted');
    expect((await owner.runtime.devices()).length).toBe(before);
    expect((await added.runtime.status()).enrolled).toBe(false);
    expect(owner.events.of('alert').map((a) => a.kind)).toContain('linking-mismatch');
    added.runtime.dispose();
  }, 60_000);
});
