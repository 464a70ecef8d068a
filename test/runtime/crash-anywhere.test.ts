/**
 * #11.4 crash anywhere: the visitor runtime runs in a worker that is terminated at random instants
 * (at least 50 times over one conversation; the store lives in this thread, store-rpc.ts, so each
 * commit arrives whole or not at all) and restarted from its store each time. An agent runtime
 * answers every visitor message. Checked at the end:
 * - the conversation completes; every message is in the visitor's and the agent's history exactly
 *   once and in order;
 * - nothing is shown twice: a message shown live by one run is never shown live again, and was
 *   saved before it was shown (the next run resumes with it);
 * - no ratchet key or AEAD nonce is used twice: from every envelope the visitor put on a socket,
 *   one (session, ratchet key, counter) never carries two different ciphertexts.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureRandom, toHex } from '../../shared/crypto/index.js';
import { conversationPacketCodec } from '../../shared/protocol/index.js';
import { memoryStore } from '../../shared/runtime/index.js';
import { MemoryDatabase } from '../../shared/storage/index.js';
import { decode, decodeClientFrame, decodeEnvelope } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { serveBackend } from './support/store-rpc.js';
import { type AgentHandle, agentRuntime, newAccount, waitFor } from './support/runtime-world.js';

const KILLS = 50;
const TOTAL = 80;
const WORKER = new URL('./support/crash-visitor-worker.ts', import.meta.url).href;

type Report =
  | { type: 'resumed'; ids: string[] }
  | { type: 'live'; id: string; from: string; text: string }
  | { type: 'wire'; frame: Uint8Array }
  | { type: 'store-created' }
  | { type: 'all-sent' };

interface Run {
  readonly resumed: Set<string>;
  readonly live: string[];
  resumedSeen: boolean;
  allSent: boolean;
  exited: boolean;
}

describe('#11.4: crash anywhere', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let agent: AgentHandle;
  let accountId = '';
  let pin = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    agent = agentRuntime();
    pin = (await newAccount(relay.origin, agent)).fingerprint;
    accountId = (await agent.runtime.status()).accountId ?? '';
    agent.runtime.on('message', (m) => {
      if (m.from === 'visitor' && m.body.kind === 'text')
        void agent.runtime.sendText(m.conversationId, `a-${m.body.text}`);
    });
  }, 60_000);

  afterAll(async () => {
    agent.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#11.4: 50 kills at random instants: every message once and in order, no key or nonce reused', async () => {
    const db = new MemoryDatabase();
    const store = memoryStore(db);
    let hasStore = false;
    const runs: Run[] = [];
    const wires: Uint8Array[] = [];

    const launch = (): { run: Run; worker: Worker } => {
      const { port1, port2 } = new MessageChannel();
      serveBackend(db, port1);
      const run: Run = { resumed: new Set(), live: [], resumedSeen: false, allSent: false, exited: false };
      const worker = new Worker(
        `import('tsx/esm/api').then((a) => { a.register(); return import(${JSON.stringify(WORKER)}); }).then((m) => m.runCrashVisitor())`,
        {
          eval: true,
          workerData: { origin: relay.origin, accountId, pin, total: TOTAL, storePort: port2, hasStore },
          transferList: [port2],
        },
      );
      worker.on('message', (r: Report) => {
        if (r.type === 'resumed') {
          for (const id of r.ids) run.resumed.add(id);
          run.resumedSeen = true;
        } else if (r.type === 'live') run.live.push(r.id);
        else if (r.type === 'wire') wires.push(r.frame);
        else if (r.type === 'store-created') hasStore = true;
        else run.allSent = true;
      });
      worker.on('exit', () => {
        run.exited = true;
        port1.close();
      });
      worker.on('error', () => undefined);
      runs.push(run);
      return { run, worker };
    };

    const visitorTexts = (): string[] =>
      agent.events.of('message').flatMap((m) => (m.from === 'visitor' && m.body.kind === 'text' ? [m.body.text] : []));

    // The first run opens the conversation and sends a little before the kills start.
    let current = launch();
    await waitFor(() => visitorTexts().length >= 2, 'the conversation started', 30_000);
    let kills = 0;
    while (kills < KILLS) {
      const { run, worker } = current;
      await waitFor(() => run.resumedSeen || run.exited, 'the run to resume', 30_000);
      // A random instant: while it resumes, sends, receives, confirms.
      await new Promise((r) => setTimeout(r, ((secureRandom(1)[0] ?? 0) * 250) / 255));
      await worker.terminate();
      kills += 1;
      current = launch();
    }
    await waitFor(() => current.run.allSent, 'the last run to send everything', 60_000);
    await waitFor(() => visitorTexts().length >= TOTAL, 'the agent to get everything', 30_000);

    // The agent got every visitor message once, in order (only one conversation was opened).
    const conversations = await agent.runtime.conversations();
    expect(conversations).toHaveLength(1);
    const expectedVisitor = Array.from({ length: TOTAL }, (_, i) => `v-${i}`);
    expect(visitorTexts()).toEqual(expectedVisitor);
    // Every reply reaches the visitor's store once, in order.
    const conversationId = conversations[0]?.conversationId ?? '';
    await waitFor(
      async () => {
        const [id] = await store.conversationIds();
        const rows = id === undefined ? [] : await store.messages(id);
        return rows.filter((r) => r.value.message.from === 'agent').length >= TOTAL;
      },
      'every reply in the visitor store',
      30_000,
    );
    const [storedId] = await store.conversationIds();
    const record = storedId === undefined ? undefined : await store.conversation(storedId);
    // The shown messages are rows beside the record (conversation-messages.ts), in the order shown.
    const shown = storedId === undefined ? [] : (await store.messages(storedId)).map((r) => r.value.message);
    const texts = (from: string): string[] =>
      shown.flatMap((m) => (m.from === from && m.body.kind === 'text' ? [m.body.text] : []));
    expect(record?.protocol.conversationId === undefined ? '' : toHex(record.protocol.conversationId)).toBe(
      conversationId,
    );
    expect(texts('self')).toEqual(expectedVisitor);
    expect(texts('agent')).toEqual(expectedVisitor.map((t) => `a-${t}`));

    // Shown once: never live twice; saved before shown (the next run resumed with it).
    const shownLive = runs.flatMap((r) => r.live);
    expect(new Set(shownLive).size).toBe(shownLive.length);
    for (const [i, run] of runs.entries()) {
      for (const id of run.live) expect(run.resumed.has(id)).toBe(false);
      const next = runs[i + 1];
      if (next?.resumedSeen === true) for (const id of run.live) expect(next.resumed.has(id)).toBe(true);
    }

    // No ratchet key or nonce used twice: one (session, ratchet key, counter) → one ciphertext.
    const used = new Map<string, string>();
    let packets = 0;
    for (const frame of wires) {
      const decoded = decodeClientFrame(frame);
      if (decoded.type !== 'send') continue;
      const packet = decode(conversationPacketCodec, decodeEnvelope(decoded.envelope).body, 'conversationPacket');
      const message = packet.session.message;
      const key = `${toHex(packet.session.sessionId)}/${toHex(message.header.dh)}/${message.header.n}`;
      const value = toHex(message.ciphertext);
      const before = used.get(key);
      if (before !== undefined) expect(before).toBe(value);
      used.set(key, value);
      packets += 1;
    }
    expect(packets).toBeGreaterThanOrEqual(TOTAL);
    console.log(
      `crash test: ${kills} kills, ${TOTAL} visitor and ${TOTAL} agent messages, ${packets} packets sent (${used.size} distinct), ` +
        `${shownLive.length} shown live, 0 shown twice, 0 key or nonce reuse`,
    );
  }, 400_000);
});
