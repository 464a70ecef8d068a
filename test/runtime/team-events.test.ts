/**
 * Issue #15 items 1-2, PROTOCOL §9.8 and §16.11, against a real relay process (SQLite): two agents
 * with two devices each. A conversation is assigned, noted, snoozed, reopened (by the clock and by
 * the visitor writing) and resolved, and every device agrees — learning each change live from the
 * relay's nudge, without listing. A device linked afterwards sees the same state from the archive.
 * The visitor's runtime receives nothing of it, the relay's files hold no note text, and a team
 * event the relay forges or re-attributes is refused with an alert.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../shared/crypto/index.js';
import { UsageError } from '../../shared/errors/index.js';
import type { ConversationSummary, LinkPhase } from '../../shared/runtime/index.js';
import type { FetchLike } from '../../shared/transport/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  type VisitorHandle,
  agentRuntime,
  codeOf,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
  waitForCurrentArchiveKey,
} from './support/runtime-world.js';

const NOTE = 'NOTE-CANARY call back after 5, VIP 7Q4Z';
/** §9.8: the record id prefix of a team event (0x00 "team"), in hex. */
const TEAM_PREFIX = '007465616d';

/** A second device of `sponsor`'s agent (no account key there: the owner approves the change request). */
async function linkVia(origin: string, sponsor: AgentHandle, owner: AgentHandle): Promise<AgentHandle> {
  const added = agentRuntime();
  const phases: LinkPhase[] = [];
  const sponsorPhases: LinkPhase[] = [];
  added.runtime.on('link', (p) => phases.push(p));
  sponsor.runtime.on('link', (p) => sponsorPhases.push(p));
  const before = owner.events.of('changeRequest').length;
  const { code } = await sponsor.runtime.startLinkAsExistingDevice();
  await added.runtime.linkAsNewDevice({ relayUrl: origin, scanned: code, deviceKind: 'pwa' });
  await waitFor(() => codeOf(phases) !== undefined && codeOf(sponsorPhases) !== undefined, 'both codes');
  await added.runtime.confirmLink(true);
  const released = sponsor.runtime.confirmLink(true);
  await waitFor(() => owner.events.of('changeRequest').length > before, 'the request at the owner');
  const [request] = await owner.runtime.pendingChangeRequests();
  await owner.runtime.decideChangeRequest(request?.id ?? '', true);
  await released;
  await waitFor(() => phases.some((p) => p.phase === 'linked'), 'the second device linked', 20_000);
  return added;
}

async function summaryAt(agent: AgentHandle, conversationId: string): Promise<ConversationSummary | undefined> {
  return (await agent.runtime.conversations()).find((c) => c.conversationId === conversationId);
}

/** The newest summary of the conversation this device emitted (without listing: what reached it live). */
function lastEmitted(agent: AgentHandle, conversationId: string): ConversationSummary | undefined {
  return agent.events
    .of('conversation')
    .filter((c) => c.conversationId === conversationId)
    .at(-1);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('#15.1-2, §9.8: team events between the business devices', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let olga: AgentHandle;
  let olga2: AgentHandle;
  let sam: AgentHandle;
  let sam2: AgentHandle;
  let visitor: VisitorHandle;
  let all: AgentHandle[] = [];
  let conversationId = '';
  let firstMessageId = '';
  let samAgent = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    olga = agentRuntime();
    const pin = (await newAccount(relay.origin, olga)).fingerprint;
    const accountId = (await olga.runtime.status()).accountId ?? '';
    olga2 = await link(relay.origin, olga);
    sam = await link(relay.origin, olga, { agentName: 'Sam', role: 'agent' });
    sam2 = await linkVia(relay.origin, sam, olga);
    all = [olga, olga2, sam, sam2];
    samAgent = (await sam.runtime.devices()).find((d) => d.self)?.agentId ?? '';
    visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    conversationId = (await visitor.runtime.openConversation()).conversationId;
    firstMessageId = await visitor.runtime.sendText('my order never arrived');
    for (const a of all)
      await waitFor(
        () => a.events.of('message').some((m) => m.id === firstMessageId),
        'the first message everywhere',
        30_000,
      );
    // Every device holds the epoch of the newest list before the events are written (else they wait, §9.1).
    await waitForCurrentArchiveKey(all);
  }, 180_000);

  afterAll(async () => {
    visitor.runtime.dispose();
    for (const a of all) a.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('assign, note, snooze, reopen, resolve: every device agrees, live through the nudge', async () => {
    await sam.runtime.assign(conversationId, samAgent);
    for (const a of all)
      await waitFor(() => lastEmitted(a, conversationId)?.assignee === samAgent, 'the assignment, live', 20_000);
    // Reading the conversation tells the inbox its unread count and keeps its team state.
    await sam2.runtime.markRead(conversationId, firstMessageId);
    expect(lastEmitted(sam2, conversationId)).toMatchObject({ unread: 0, assignee: samAgent, status: 'open' });

    await olga.runtime.addNote(conversationId, NOTE);
    for (const a of all) {
      await waitFor(
        () => a.events.of('message').some((m) => m.body.kind === 'note' && m.body.text === NOTE),
        'the note, live',
        20_000,
      );
      const notes = (await a.runtime.history(conversationId)).filter((m) => m.body.kind === 'note');
      expect(notes).toHaveLength(1);
      expect(notes[0]?.from).toBe(a === olga ? 'self' : 'agent');
      expect(notes[0]?.agentName).toBe('Olga');
    }
    // A note is not a conversation message: it cannot be marked read (no receipt names it), and
    // asking is a typed error, not a crash deep in the id decoder.
    const noteId = (await sam.runtime.history(conversationId)).find((m) => m.body.kind === 'note')?.id ?? '';
    await expect(sam.runtime.markRead(conversationId, noteId)).rejects.toBeInstanceOf(UsageError);

    // Snoozed for a moment: snoozed everywhere, then open again when its time has come.
    const until = Date.now() + 4_000;
    await sam2.runtime.setStatus(conversationId, { snoozedUntil: until });
    for (const a of all)
      await waitFor(() => lastEmitted(a, conversationId)?.status === 'snoozed', 'snoozed, live', 20_000);
    expect(lastEmitted(olga, conversationId)?.snoozedUntil).toBe(until);
    for (const a of all)
      await waitFor(() => lastEmitted(a, conversationId)?.status === 'open', 'open again at its time', 20_000);

    // Snoozed for an hour: the visitor writing reopens it.
    await olga2.runtime.setStatus(conversationId, { snoozedUntil: Date.now() + 3_600_000 });
    for (const a of all)
      await waitFor(() => lastEmitted(a, conversationId)?.status === 'snoozed', 'snoozed for an hour', 20_000);
    const again = await visitor.runtime.sendText('hello? still there?');
    for (const a of all) {
      await waitFor(() => a.events.of('message').some((m) => m.id === again), 'the visitor writes', 20_000);
      await waitFor(() => lastEmitted(a, conversationId)?.status === 'open', 'reopened by the visitor', 20_000);
    }

    // Two devices change the status at once: every device ends with the same one.
    await Promise.all([
      olga.runtime.setStatus(conversationId, 'resolved'),
      sam.runtime.setStatus(conversationId, 'resolved'),
    ]);
    for (const a of all)
      await waitFor(async () => (await summaryAt(a, conversationId))?.status === 'resolved', 'resolved', 20_000);
    const states = await Promise.all(all.map((a) => summaryAt(a, conversationId)));
    expect(new Set(states.map((s) => `${s?.status}/${s?.assignee}`))).toEqual(new Set([`resolved/${samAgent}`]));
    expect(all.flatMap((a) => a.events.of('alert')).filter((x) => x.severity === 'danger')).toEqual([]);
  }, 120_000);

  it('a device linked afterwards sees status, assignee and notes; the visitor and the relay see none of it', async () => {
    const later = await link(relay.origin, olga);
    all.push(later);
    await waitFor(
      async () => {
        const s = await summaryAt(later, conversationId);
        return s?.status === 'resolved' && s.assignee === samAgent;
      },
      'the team state on the device linked later',
      30_000,
    );
    const history = await later.runtime.history(conversationId);
    expect(
      history.filter((m) => m.body.kind === 'note').map((m) => (m.body.kind === 'note' ? m.body.text : '')),
    ).toEqual([NOTE]);

    // The visitor's runtime received nothing of the team's state.
    const seen = JSON.stringify(visitor.events.seen);
    expect(seen).not.toContain('NOTE-CANARY');
    expect(visitor.events.of('message').every((m) => m.body.kind !== 'note')).toBe(true);
    const canary = new TextEncoder().encode('NOTE-CANARY');
    const contains = (bytes: Uint8Array): boolean => Buffer.from(bytes).includes(Buffer.from(canary));
    for (const value of visitor.storage.db.records.values())
      expect(
        contains(
          new TextEncoder().encode(JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v))),
        ),
      ).toBe(false);
    // The relay's SQLite files (database and write-ahead log) hold ciphertext only.
    const files = filesUnder(data.dir);
    expect(files.some((f) => f.endsWith('.db') || f.endsWith('.sqlite'))).toBe(true);
    for (const file of files) expect(contains(readFileSync(file))).toBe(false);
  }, 90_000);

  it('a team event the relay forges or re-attributes is refused with an alert, and not applied', async () => {
    const otherDevice = (await olga2.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    let rewritten = 0;
    const malicious: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      if (init.method !== 'GET' || !new URL(url).pathname.includes('/history/after/') || response.status !== 200)
        return response;
      const body = (await response.json()) as { records: Record<string, unknown>[] };
      const records = body.records.map((row) => {
        if (!String(row['recordId']).startsWith(TEAM_PREFIX)) return row;
        const bytes = fromBase64Url(String(row['record']));
        rewritten += 1;
        if (rewritten % 2 === 1) {
          // Re-attributed: another listed device named as its author (bytes 22..38, §9.2).
          bytes.set(Buffer.from(otherDevice, 'hex'), 22);
          return { ...row, author: otherDevice, record: toBase64Url(bytes) };
        }
        // Forged: one byte of the ciphertext changed.
        const i = bytes.length - 70;
        bytes[i] = (bytes[i] ?? 0) ^ 1;
        return { ...row, record: toBase64Url(bytes) };
      });
      return new Response(JSON.stringify({ records }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const watched = await link(relay.origin, olga, undefined, undefined, agentRuntime(undefined, undefined, malicious));
    all.push(watched);
    await waitFor(
      () => watched.events.of('alert').filter((a) => a.kind === 'history-record-refused').length >= 2,
      'the re-attributed and the forged team events refused',
      30_000,
    );
    await waitFor(async () => {
      await watched.runtime.conversations();
      return (await watched.store.archive())?.recordCursor !== 0;
    }, 'the records read');
    const summary = await summaryAt(watched, conversationId);
    // Every team event was altered on the way: none applied, the conversation shows no team state.
    expect(summary?.assignee).toBeUndefined();
    expect((await watched.runtime.history(conversationId)).some((m) => m.body.kind === 'note')).toBe(false);
    expect(rewritten).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
