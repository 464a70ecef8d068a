/**
 * PROTOCOL §9.2 "At most SEALDESK_MAX_HISTORY_RECORDS records per account", against a real relay
 * process with a small limit: once the relay answers 409 `archive-full`, the agent device drops the
 * record (it would never be taken; before, such a record was dropped in silence), says so once with
 * a `history-full` warning, and its conversations go on as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../shared/transport/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  type VisitorHandle,
  agentRuntime,
  historyPut,
  newAccount,
  visitorRuntime,
  waitFor,
} from './support/runtime-world.js';

const LIMIT = 3;
const DELAY_MS = 200;

/** Node's fetch, keeping the status of every history record PUT, by record id. */
function watchingFetch(puts: { readonly slot: string; readonly status: number }[]): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    const slot = historyPut(url, init)?.recordIdHex;
    if (slot !== undefined) puts.push({ slot, status: response.status });
    return response;
  };
}

describe('§9.2: a full history at the relay', () => {
  const data = makeDataDir();
  const puts: { slot: string; status: number }[] = [];
  let relay: RelayProcess;
  let owner: AgentHandle;
  let visitor: VisitorHandle;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_MESSAGES_PER_SECOND: '5000',
      SEALDESK_MAX_HISTORY_RECORDS: String(LIMIT),
    });
    owner = agentRuntime(undefined, undefined, watchingFetch(puts), DELAY_MS);
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    visitor = visitorRuntime(relay.origin, (await owner.runtime.status()).accountId ?? '', pin);
    await visitor.runtime.start();
    await visitor.runtime.openConversation();
  }, 90_000);

  afterAll(async () => {
    visitor.runtime.dispose();
    owner.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('past the limit, records are refused with archive-full: dropped, not sent again, said once; messages still arrive', async () => {
    const full = () => owner.events.of('alert').filter((a) => a.kind === 'history-full');
    // One message at a time, each sealed into its own record, until the relay has refused two.
    for (let i = 0; puts.filter((p) => p.status === 409).length < 2; i++) {
      expect(i, 'the relay never answered archive-full').toBeLessThan(2 * LIMIT + 4);
      const id = await visitor.runtime.sendText(`message ${i}`);
      await waitFor(() => owner.events.of('message').some((m) => m.id === id), `message ${i} shown`);
      await waitFor(
        async () =>
          (await owner.store.archiveItems()).every((row) => row.value.state !== 'unsealed') &&
          (await owner.store.archive())?.outgoingRecords.length === 0,
        `message ${i} sealed and its record sent or dropped`,
        10_000,
      );
    }
    expect(puts.filter((p) => p.status === 201).length).toBeLessThanOrEqual(LIMIT);
    // Each refused record was tried once and dropped, not kept for every later flush.
    const refused = puts.filter((p) => p.status === 409).map((p) => p.slot);
    expect(new Set(refused).size).toBe(refused.length);
    expect(full()).toHaveLength(1);
    expect(full()[0]?.severity).toBe('warning');
    expect(full()[0]?.text).toContain('raise its history limit');

    // Honest traffic goes on, both ways, and the warning is not raised again for the next refusals.
    const late = await visitor.runtime.sendText('after the archive filled up');
    await waitFor(() => owner.events.of('message').some((m) => m.id === late), 'a later message shown');
    const conversationId = owner.events.of('message').find((m) => m.id === late)?.conversationId ?? '';
    const answer = await owner.runtime.sendText(conversationId, 'and an answer');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === answer), 'the answer');
    await waitFor(async () => (await owner.store.archive())?.outgoingRecords.length === 0, 'flushed', 10_000);
    expect(full()).toHaveLength(1);
  }, 120_000);
});
