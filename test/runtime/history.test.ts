/**
 * #11.3/#11.4, PROTOCOL §9: history for devices linked later, against a real relay process. The
 * owner talks with a visitor, then links a second device: it lists the conversation with its
 * earlier messages (AIK-signed epoch keys sealed to it, records signed by their author). A device
 * revoked gets no key of the epoch made at its removal, so it cannot read what is written after.
 * A relay that alters a grant, or alters or moves a record, is caught: a typed alert, and nothing
 * of it shown; one that withholds records only makes the history shorter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../shared/crypto/index.js';
import { memoryStore } from '../../shared/runtime/index.js';
import type { FetchLike } from '../../shared/transport/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  agentRuntime,
  historyTexts,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
} from './support/runtime-world.js';

type Rewrite = (path: string, body: Record<string, unknown>) => Record<string, unknown>;

/** Node's fetch, with the relay's archive answers rewritten as a malicious relay could. */
function rewritingFetch(rewrite: Rewrite): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    const path = new URL(url).pathname;
    if (init.method !== 'GET' || !/\/(archive-grants|history)\/after\//.test(path) || response.status !== 200)
      return response;
    const body = (await response.json()) as Record<string, unknown>;
    return new Response(JSON.stringify(rewrite(path, body)), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
}

function flipped(base64: unknown, at: (length: number) => number): string {
  const bytes = fromBase64Url(String(base64));
  const i = at(bytes.length);
  bytes[i] = (bytes[i] ?? 0) ^ 1;
  return toBase64Url(bytes);
}

type Row = Record<string, unknown>;

/**
 * §9.6: what the device showed sealed and sent now (listing syncs, and a sync seals what waits),
 * so each earlier message has a record of its own for the relay below to tamper with.
 */
async function sealedNow(agent: AgentHandle): Promise<void> {
  await agent.runtime.conversations();
  await waitFor(async () => {
    const waiting = (await agent.store.archiveItems()).some((row) => row.value.state === 'unsealed');
    return !waiting && (await agent.store.archive())?.outgoingRecords.length === 0;
  }, 'the shown messages sealed and sent');
}

describe('#11.4, §9: history reaches a device linked later', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;
  let accountId = '';
  let pin = '';
  let conversationId = '';
  const earlier = ['hello, is the shop open?', 'yes, until six', 'great, see you'];

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    owner = agentRuntime();
    pin = (await newAccount(relay.origin, owner)).fingerprint;
    accountId = (await owner.runtime.status()).accountId ?? '';
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    conversationId = (await visitor.runtime.openConversation()).conversationId;
    const first = await visitor.runtime.sendText(earlier[0] ?? '');
    await waitFor(() => owner.events.of('message').some((m) => m.id === first), 'the first message');
    await sealedNow(owner);
    const reply = await owner.runtime.sendText(conversationId, earlier[1] ?? '');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === reply), 'the reply');
    await sealedNow(owner);
    const last = await visitor.runtime.sendText(earlier[2] ?? '');
    await waitFor(() => owner.events.of('message').some((m) => m.id === last), 'the last message');
    await sealedNow(owner);
    visitor.runtime.dispose();
  }, 90_000);

  afterAll(async () => {
    owner.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#11.4: a linked device lists the earlier conversation with its messages; a revoked one gets no later epoch', async () => {
    const second = await link(relay.origin, owner);
    await waitFor(
      async () => (await second.runtime.conversations()).some((c) => c.conversationId === conversationId),
      'the earlier conversation on the linked device',
      30_000,
    );
    await waitFor(async () => (await historyTexts(second, conversationId)).length === 3, 'its three messages', 30_000);
    expect(await historyTexts(second, conversationId)).toEqual(earlier);
    const shown = await second.runtime.history(conversationId);
    expect(shown.map((m) => m.from)).toEqual(['visitor', 'agent', 'visitor']);
    const summary = (await second.runtime.conversations()).find((c) => c.conversationId === conversationId);
    expect(summary?.preview).toBe(earlier[2]);
    expect(second.events.of('alert')).toEqual([]);

    // The owner holds the epoch of the list that added the second device; the second device got
    // every epoch (the first one too, to read what came before it).
    const ownerKeyring = (await owner.store.archive())?.keyring;
    const secondKeyring = (await second.store.archive())?.keyring;
    expect(ownerKeyring?.keys.map((k) => k.epoch)).toEqual([1, 2]);
    expect(secondKeyring?.keys.map((k) => k.epoch)).toEqual([1, 2]);

    // A third device, then the second is revoked (list 4): the epoch-4 key goes to the third only.
    const third = await link(relay.origin, owner);
    const secondId = (await second.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    await owner.runtime.revokeDevice(secondId);
    await waitFor(
      async () => (await owner.store.archive())?.outgoingGrants.length === 0,
      'the owner sent the new epoch',
    );
    expect((await owner.store.archive())?.keyring?.keys.map((k) => k.epoch)).toEqual([1, 2, 3, 4]);
    const later = await owner.runtime.sendText(conversationId, 'written after the revocation');
    await waitFor(
      async () => (await historyTexts(third, conversationId)).includes('written after the revocation'),
      'at the third',
    );
    // The third device also gets it live (it is listed); its keyring takes the epoch-4 grant at a sync.
    await waitFor(async () => {
      await third.runtime.conversations();
      return (await third.store.archive())?.keyring?.keys.length === 4;
    }, 'the epoch-4 key at the third device');
    expect((await third.store.archive())?.keyring?.keys.map((k) => k.epoch)).toEqual([1, 2, 3, 4]);
    // The revoked device: no key of epoch 4, and the message written after is not in its history.
    await second.runtime.conversations();
    const revokedKeys = (await memoryStore(second.db).archive())?.keyring?.keys.map((k) => k.epoch) ?? [];
    expect(revokedKeys).not.toContain(4);
    expect((await second.runtime.history(conversationId)).some((m) => m.id === later)).toBe(false);
    for (const a of [second, third]) a.runtime.dispose();
  }, 120_000);

  it('§9: a relay altering a grant or altering or moving a record is caught; withholding only shortens', async () => {
    let grantPages = 0;
    let recordPages = 0;
    const malicious = rewritingFetch((path, body) => {
      if (path.includes('archive-grants')) {
        const grants = body['grants'] as Row[];
        if (grants.length === 0 || grantPages++ > 0) return body;
        // The first grant altered (its signature's last byte); the relay serves the rest honestly.
        const [first, ...rest] = grants;
        return { grants: [{ ...first, grant: flipped(first?.['grant'], (n) => n - 1) }, ...rest] };
      }
      const records = body['records'] as Row[];
      if (records.length < 3 || recordPages++ > 0) return body;
      const [a, b, c, ...rest] = records as [Row, Row, Row, ...Row[]];
      return {
        records: [
          { ...a, record: flipped(a['record'], (n) => n - 30) }, // altered ciphertext
          { ...b, recordId: c['recordId'] }, // moved to another slot
          ...rest, // c withheld
        ],
      };
    });
    const watched = await link(
      relay.origin,
      owner,
      undefined,
      undefined,
      agentRuntime(undefined, undefined, malicious),
    );
    await waitFor(
      () => watched.events.of('alert').filter((a) => a.kind === 'history-record-refused').length >= 2,
      'the altered and the moved record refused',
      30_000,
    );
    const kinds = watched.events.of('alert').map((a) => a.kind);
    expect(kinds).toContain('archive-grant-refused');
    expect(kinds.filter((k) => k === 'history-record-refused')).toHaveLength(2);
    expect(watched.events.of('alert').every((a) => a.severity !== 'info')).toBe(true);
    // The honest later record arrives (the sync reads page by page, in the background)...
    await waitFor(
      async () => (await historyTexts(watched, conversationId)).includes('written after the revocation'),
      'the honest record after the refused ones',
      30_000,
    );
    // ...and nothing of the three earliest records is shown: altered, moved, withheld.
    const shown = await historyTexts(watched, conversationId);
    for (const text of earlier) expect(shown).not.toContain(text);
    watched.runtime.dispose();
  }, 120_000);
});
