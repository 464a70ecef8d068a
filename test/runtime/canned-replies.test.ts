/**
 * Issue #15 items 1–2, PROTOCOL §9.7: canned replies and presence as team-shared history records,
 * against a real relay process. A reply made on one device is read, edited and deleted on another
 * agent's device, used there in a conversation (sent as a normal message), and found by a device
 * linked later; presence set by one agent reaches the others. A record the relay alters, and a
 * presence record an insider device writes for another agent, are refused with an alert. A reply
 * an insider pins with the largest counter loses to the first edit after its removal (issue #15,
 * THREAT-MODEL §7). The relay's SQLite files never hold a reply's text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../shared/crypto/index.js';
import {
  encodeCannedReplyChange,
  encodePresenceChange,
  inTeamNamespace,
  parseTeamRecordId,
  sealHistoryRecord,
  teamRecordId,
} from '../../shared/protocol/index.js';
import { memoryStore } from '../../shared/runtime/index.js';
import { MemoryDatabase } from '../../shared/storage/index.js';
import type { FetchLike } from '../../shared/transport/index.js';
import { canaryHits, filesUnder, newCanary } from '../hostile/support/canary.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { LimitError } from '../../shared/errors/index.js';
import { hashSeededEnv } from '../support/hash-seeded-env.js';
import {
  type AgentHandle,
  agentRuntime,
  historyPut,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
} from './support/runtime-world.js';

async function shortcuts(agent: AgentHandle): Promise<string[]> {
  return (await agent.runtime.cannedReplies({ sync: true })).map((r) => `${r.shortcut}=${r.body}`);
}

describe('#15, §9.7: canned replies and presence across devices', () => {
  const data = makeDataDir();
  const hoursText = `We are open 9 to 6. ${newCanary()}`;
  const editedText = `We are open 9 to 7 now. ${newCanary()}`;
  let relay: RelayProcess;
  let owner: AgentHandle;
  let bea: AgentHandle;
  let accountId = '';
  let pin = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    owner = agentRuntime();
    pin = (await newAccount(relay.origin, owner)).fingerprint;
    accountId = (await owner.runtime.status()).accountId ?? '';
    bea = await link(relay.origin, owner, { agentName: 'Bea', role: 'agent' });
  }, 90_000);

  afterAll(async () => {
    owner.runtime.dispose();
    bea.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('made on one device, edited and deleted on another, used in a conversation, read by a device linked later', async () => {
    const hours = await owner.runtime.saveCannedReply({ shortcut: 'hours', body: hoursText });
    await owner.runtime.saveCannedReply({ shortcut: 'bye', body: 'Thanks for writing, goodbye!' });
    expect(
      owner.events
        .of('cannedReplies')
        .at(-1)
        ?.map((r) => r.shortcut),
    ).toEqual(['bye', 'hours']);

    await waitFor(async () => (await shortcuts(bea)).length === 2, 'both replies at the other agent', 30_000);
    expect(await shortcuts(bea)).toEqual(['bye=Thanks for writing, goodbye!', `hours=${hoursText}`]);
    expect(bea.events.of('cannedReplies').length).toBeGreaterThan(0);

    // Bea edits one and deletes the other; her edit outranks the owner's change she read.
    await bea.runtime.saveCannedReply({ id: hours.id, shortcut: 'hours', body: editedText });
    const bye = (await bea.runtime.cannedReplies()).find((r) => r.shortcut === 'bye');
    await bea.runtime.deleteCannedReply(bye?.id ?? '');
    await waitFor(
      async () => (await shortcuts(owner)).join() === `hours=${editedText}`,
      'the edit and the delete at the owner',
      30_000,
    );
    await expect(owner.runtime.deleteCannedReply(bye?.id ?? '')).rejects.toMatchObject({
      code: 'canned-reply-not-found',
    });
    await expect(owner.runtime.saveCannedReply({ shortcut: 'no spaces', body: 'x' })).rejects.toMatchObject({
      code: 'invalid-content',
    });
    // What a page hands over the bridge is checked too (PROTOCOL §9.7 rules, typed errors).
    const untyped = JSON.parse('{"shortcut":5,"body":null}') as { shortcut: string; body: string };
    await expect(owner.runtime.saveCannedReply(untyped)).rejects.toMatchObject({ code: 'invalid-content' });
    await expect(owner.runtime.setPresence(JSON.parse('"busy"') as 'away')).rejects.toMatchObject({
      code: 'invalid-content',
    });
    await expect(owner.runtime.deleteCannedReply('not-an-id')).rejects.toMatchObject({ code: 'decode' });

    // Presence: Bea sets herself away; the owner reads it at its sync.
    await bea.runtime.setPresence('away');
    const beaAgent = (await bea.runtime.devices()).find((d) => d.self)?.agentId ?? '';
    await waitFor(async () => {
      await owner.runtime.cannedReplies({ sync: true });
      return (await owner.runtime.presence()).some((p) => p.agentId === beaAgent && p.status === 'away');
    }, 'Bea away at the owner');

    // Used in a conversation: the body goes to the visitor as a normal (encrypted) message.
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const first = await visitor.runtime.sendText('when are you open?');
    await waitFor(() => bea.events.of('message').some((m) => m.id === first), 'the question at Bea');
    const inserted = (await bea.runtime.cannedReplies()).find((r) => r.shortcut === 'hours');
    const reply = await bea.runtime.sendText(conversationId, inserted?.body ?? '');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === reply), 'the canned reply at the visitor');
    const shown = visitor.events.of('message').find((m) => m.id === reply);
    expect(shown?.body).toEqual({ kind: 'text', text: editedText });
    visitor.runtime.dispose();

    // A device linked later reads the replies as they stand, and Bea's presence.
    const later = await link(relay.origin, owner);
    await waitFor(async () => (await shortcuts(later)).length === 1, 'the replies at the device linked later', 30_000);
    expect(await shortcuts(later)).toEqual([`hours=${editedText}`]);
    expect(await later.runtime.presence()).toEqual([{ agentId: beaAgent, status: 'away' }]);
    for (const a of [owner, bea, later])
      expect(a.events.of('alert').filter((x) => x.severity === 'danger')).toEqual([]);
    later.runtime.dispose();

    // The relay's files (SQLite database, WAL, logs) never hold a reply's text in any form.
    for (const file of filesUnder(data.dir))
      for (const text of [hoursText, editedText]) {
        const canary = text.slice(text.indexOf('CANARY'));
        expect(canaryHits(file.bytes, canary), file.path).toEqual([]);
      }
  }, 180_000);

  it('a record the relay alters, and a presence record an insider writes for another agent, are refused', async () => {
    const forgedSent: number[] = [];
    const ownerAgent = (await owner.runtime.devices()).find((d) => d.self)?.agentId ?? '';
    // Bea's device turned hostile: its presence record names the owner's agent (sealed and signed by Bea's device).
    const forging: FetchLike = async (url, init) => {
      const put = historyPut(url, init);
      const slot = put === undefined ? undefined : parseTeamRecordId(fromHex(put.recordIdHex));
      if (slot?.kind !== 'presence') return fetch(url, init);
      const keyring = (await bea.store.archive())?.keyring;
      const keys = await bea.store.deviceKeys();
      if (keyring === undefined || keys === undefined) throw new Error('Bea has no keyring');
      const agentId = fromHex(ownerAgent);
      const recordId = teamRecordId({ kind: 'presence', itemId: agentId, epoch: slot.epoch, counter: slot.counter });
      const plaintext = encodePresenceChange({ agentId, epoch: slot.epoch, counter: slot.counter, status: 'away' });
      const { record } = await sealHistoryRecord(keyring, hashSeededEnv('forge'), keys, recordId, plaintext);
      const forged = new URL(url);
      forged.pathname = forged.pathname.replace(/[0-9a-f]+$/, toHex(recordId));
      const answer = await fetch(forged, { ...init, body: new Uint8Array(record) });
      forgedSent.push(answer.status);
      return answer;
    };
    const insider = agentRuntime(bea.db, undefined, forging);
    await insider.runtime.setPresence('online');
    insider.runtime.dispose();
    expect(forgedSent).toEqual([201]);

    // A device linked with a relay that flips one byte of the first team record it serves.
    let altered = false;
    const tampering: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      if (init.method !== 'GET' || !new URL(url).pathname.includes('/history/after/') || altered) return response;
      const body = (await response.json()) as { records: Record<string, unknown>[] };
      const records = body.records.map((r) => {
        const id = fromHex(String(r['recordId']));
        if (altered || !inTeamNamespace(id)) return r;
        altered = true;
        const bytes = Buffer.from(String(r['record']), 'base64url');
        bytes[bytes.length - 80] = (bytes[bytes.length - 80] ?? 0) ^ 1;
        return { ...r, record: bytes.toString('base64url') };
      });
      return new Response(JSON.stringify({ ...body, records }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const watched = await link(
      relay.origin,
      owner,
      undefined,
      undefined,
      agentRuntime(undefined, undefined, tampering),
    );
    await waitFor(
      async () => {
        await watched.runtime.cannedReplies({ sync: true });
        return watched.events.of('alert').filter((a) => a.kind === 'history-record-refused').length >= 2;
      },
      'the altered record and the forged presence refused',
      30_000,
    );
    expect(altered).toBe(true);
    const refused = watched.events.of('alert').filter((a) => a.kind === 'history-record-refused');
    expect(refused.map((a) => /\((signature|decrypt|unauthorised-device)\)/.exec(a.text)?.[1]).sort()).toEqual([
      'signature',
      'unauthorised-device',
    ]);
    // The forged presence is not shown; the owner's agent was never set away by anyone.
    expect((await watched.runtime.presence()).some((p) => p.agentId === ownerAgent)).toBe(false);
    await owner.runtime.cannedReplies({ sync: true });
    expect((await owner.runtime.presence()).some((p) => p.agentId === ownerAgent)).toBe(false);
    expect(owner.events.of('alert').some((a) => a.kind === 'history-record-refused')).toBe(true);
    watched.runtime.dispose();
  }, 120_000);
  it('#15: a reply an insider pins with counter 2^32 − 1 loses to an honest edit once the insider is removed; editing goes on', async () => {
    const pinnedText = `pinned by the insider ${newCanary()}`;
    const pinned = await owner.runtime.saveCannedReply({ shortcut: 'pinned', body: 'Our returns policy.' });
    // An insider device (listed, a real member of the team) that writes its next change of a
    // canned reply with the largest counter, sealed and signed by itself like any record it writes.
    const forgedSent: number[] = [];
    const insiderDb = new MemoryDatabase();
    const insiderStore = memoryStore(insiderDb);
    const pinning: FetchLike = async (url, init) => {
      const put = historyPut(url, init);
      const slot = put === undefined ? undefined : parseTeamRecordId(fromHex(put.recordIdHex));
      if (slot?.kind !== 'cannedReply') return fetch(url, init);
      const keyring = (await insiderStore.archive())?.keyring;
      const keys = await insiderStore.deviceKeys();
      if (keyring === undefined || keys === undefined) throw new Error('the insider has no keyring');
      const maxSlot = { kind: 'cannedReply' as const, itemId: slot.itemId, epoch: slot.epoch, counter: 0xffff_ffff };
      const change = { op: 'put' as const, shortcut: 'pinned', body: pinnedText };
      const plaintext = encodeCannedReplyChange({
        replyId: slot.itemId,
        epoch: slot.epoch,
        counter: 0xffff_ffff,
        change,
      });
      const recordId = teamRecordId(maxSlot);
      const { record } = await sealHistoryRecord(keyring, hashSeededEnv('pin'), keys, recordId, plaintext);
      const forged = new URL(url);
      forged.pathname = forged.pathname.replace(/[0-9a-f]+$/, toHex(recordId));
      const answer = await fetch(forged, { ...init, body: new Uint8Array(record) });
      forgedSent.push(answer.status);
      return answer;
    };
    const insider = await link(relay.origin, owner, undefined, undefined, agentRuntime(insiderDb, undefined, pinning));
    await waitFor(
      async () => (await insider.runtime.cannedReplies({ sync: true })).some((r) => r.id === pinned.id),
      'the reply at the insider',
      30_000,
    );
    await insider.runtime.saveCannedReply({ id: pinned.id, shortcut: 'pinned', body: 'anything' });
    expect(forgedSent).toEqual([201]);
    const pinnedAt = async (a: AgentHandle) =>
      (await a.runtime.cannedReplies({ sync: true })).find((r) => r.id === pinned.id)?.body;
    for (const a of [owner, bea]) await waitFor(async () => (await pinnedAt(a)) === pinnedText, 'the pinned reply');
    // While the insider's epoch lasts, its counter is used up for everyone (availability only).
    await expect(
      bea.runtime.saveCannedReply({ id: pinned.id, shortcut: 'pinned', body: 'too early' }),
    ).rejects.toBeInstanceOf(LimitError);

    // The owner removes the insider: a new epoch (§9.5), granted to the remaining devices.
    const insiderId = (await insider.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    insider.runtime.dispose();
    await owner.runtime.revokeDevice(insiderId);
    await waitFor(async () => (await owner.store.archive())?.outgoingGrants.length === 0, 'the new epoch sent');
    const newEpoch = (await owner.store.archive())?.keyring?.keys.at(-1)?.epoch ?? 0;
    await waitFor(async () => {
      await bea.runtime.cannedReplies({ sync: true });
      return (await bea.store.archive())?.keyring?.keys.at(-1)?.epoch === newEpoch;
    }, 'the new epoch at Bea');

    // An honest edit after the removal outranks the pinned change on every remaining device.
    const honest = `honest edit ${newCanary()}`;
    await bea.runtime.saveCannedReply({ id: pinned.id, shortcut: 'pinned', body: honest });
    for (const a of [owner, bea]) await waitFor(async () => (await pinnedAt(a)) === honest, 'the honest edit');
    // And both keep editing: the owner's edit after reading Bea's, then Bea's after the owner's.
    await owner.runtime.saveCannedReply({ id: pinned.id, shortcut: 'pinned', body: 'owner edit' });
    await waitFor(async () => (await pinnedAt(bea)) === 'owner edit', 'the owner’s edit at Bea');
    await bea.runtime.saveCannedReply({ id: pinned.id, shortcut: 'pinned', body: 'Bea again' });
    await waitFor(async () => (await pinnedAt(owner)) === 'Bea again', 'Bea’s second edit at the owner');
    // A device linked now reads every change, the pinned one included, and shows the same.
    const later = await link(relay.origin, owner);
    await waitFor(
      async () => (await pinnedAt(later)) === 'Bea again',
      'the last edit at the device linked later',
      30_000,
    );
    // Its only refusal is the presence record forged in the test before; the pinned record verifies.
    const refusals = later.events.of('alert').filter((x) => x.severity === 'danger');
    expect(refusals.map((a) => /\(([a-z-]+)\)/.exec(a.text)?.[1])).toEqual(['unauthorised-device']);
    later.runtime.dispose();
  }, 180_000);
});
