/**
 * PROTOCOL §9.6 and §16.11, against a real relay process: a device linked while it stays
 * connected gets its archive-key grant through the relay's nudge, not at its next sync. The owner's
 * grant writes are held back (the relay unreachable for them) until the new device has synced once
 * (no grant yet), shown a visitor's message and written a note: both wait, unsealed. Then the grants
 * go out, with `notify=1`; nothing that syncs is called on the new device. It must read its grant,
 * seal the waiting message and note, and send them: the owner reads the note live. Then a third
 * device is linked (a new epoch): the connected device gets that epoch's key on the nudge too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../shared/transport/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  type VisitorHandle,
  agentRuntime,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
} from './support/runtime-world.js';

const NOTE = 'written before the archive key arrived';
const GRANTS = /\/archive-grants(\?|$)/;
const GRANT_READS = '/archive-grants/after/';

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

describe('§9.6, §16.11: a linked device reads its archive-key grant when the relay nudges it', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;
  let added: AgentHandle;
  let visitor: VisitorHandle | undefined;
  let pin = '';
  let conversationId = '';
  let third: AgentHandle | undefined;
  /** While true, the owner's grant writes fail as if the relay were unreachable (they stay saved). */
  let holdGrants = false;
  /** Grant reads the new device finished (each is one sync's look for grants). */
  let grantReads = 0;

  const ownerFetch: FetchLike = async (url, init) => {
    if (holdGrants && init.method === 'POST' && GRANTS.test(pathOf(url))) throw new TypeError('network down (test)');
    return fetch(url, init);
  };
  const addedFetch: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    if (init.method === 'GET' && pathOf(url).includes(GRANT_READS)) grantReads += 1;
    return response;
  };

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    owner = agentRuntime(undefined, undefined, ownerFetch);
    pin = (await newAccount(relay.origin, owner)).fingerprint;
  }, 60_000);

  afterAll(async () => {
    visitor?.runtime.dispose();
    owner.runtime.dispose();
    added.runtime.dispose();
    third?.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('the grant arrives through the nudge; the waiting message and note are sealed and sent', async () => {
    holdGrants = true;
    added = await link(relay.origin, owner, undefined, 'pwa', agentRuntime(undefined, undefined, addedFetch));
    // Its start sync looked for grants and found none (the owner's are held).
    await waitFor(() => grantReads >= 1, 'the new device’s first look for grants', 20_000);
    const pending = (await owner.store.archive())?.outgoingGrants.length ?? 0;
    expect(pending).toBeGreaterThan(0);

    const accountId = (await owner.runtime.status()).accountId ?? '';
    visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    conversationId = (await visitor.runtime.openConversation()).conversationId;
    const sent = await visitor.runtime.sendText('is my parcel on its way?');
    await waitFor(() => added.events.of('message').some((m) => m.id === sent), 'the message on the new device', 20_000);
    await added.runtime.addNote(conversationId, NOTE);
    const unsealed = async (): Promise<number> =>
      (await added.store.archiveItems()).filter((row) => row.value.state === 'unsealed').length;
    await waitFor(async () => (await unsealed()) === 1, 'the message waiting for a key', 20_000);
    const before = await added.store.archive();
    expect(before?.keyring).toBeUndefined();
    expect(before?.teamUnsealed ?? []).toHaveLength(1);
    const readsBefore = grantReads;

    // The grants go out (the owner's own sync); the new device is only nudged.
    holdGrants = false;
    await owner.runtime.cannedReplies({ sync: true });
    expect((await owner.store.archive())?.outgoingGrants).toEqual([]);

    await waitFor(
      async () => {
        const record = await added.store.archive();
        return (
          record?.keyring !== undefined &&
          (record.teamUnsealed ?? []).length === 0 &&
          record.outgoingRecords.length === 0 &&
          (await unsealed()) === 0
        );
      },
      'the grant read, the message and note sealed and sent, on the nudge alone',
      20_000,
    );
    expect(grantReads).toBeGreaterThan(readsBefore);
    // Another device reads the record the new device sealed: the note reaches the owner live.
    await waitFor(
      () => owner.events.of('message').some((m) => m.body.kind === 'note' && m.body.text === NOTE),
      'the note at the owner',
      20_000,
    );
  }, 120_000);

  it('after a new epoch, a connected device reads its key on the nudge alone', async () => {
    holdGrants = true;
    third = await link(relay.origin, owner);
    const newest = async (): Promise<number> => (await owner.store.archive())?.keyring?.listVersion ?? 0;
    const version = await newest();
    expect((await owner.store.archive())?.outgoingGrants.length ?? 0).toBeGreaterThan(0);
    const sent = await visitor?.runtime.sendText('and one more thing');
    await waitFor(() => added.events.of('message').some((m) => m.id === sent), 'the message on the device', 20_000);
    const readsBefore = grantReads;

    holdGrants = false;
    await owner.runtime.cannedReplies({ sync: true });
    expect(await newest()).toBe(version);
    await waitFor(
      async () => {
        const record = await added.store.archive();
        const keyring = record?.keyring;
        return (
          keyring?.listVersion === version &&
          keyring.keys.at(-1)?.epoch === version &&
          record?.outgoingRecords.length === 0 &&
          (await added.store.archiveItems()).every((row) => row.value.state !== 'unsealed')
        );
      },
      'the new epoch’s key on the connected device, on the nudge alone',
      20_000,
    );
    expect(grantReads).toBeGreaterThan(readsBefore);
  }, 120_000);
});
