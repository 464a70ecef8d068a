/**
 * #11.4 crash anywhere, agent side: the agent runtime runs in a worker terminated at 50 random
 * instants while a visitor writes (the database lives in this thread, store-rpc.ts) and is restarted
 * from its store each time; it answers every visitor message from its stored history. Checked: every
 * message and every answer exactly once and in order (the visitor's screen and the agent's store),
 * nothing shown live twice by the agent and everything it showed saved first, and no (session,
 * ratchet key, counter) with two ciphertexts among the envelopes the agent put on its sockets.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureRandom, toHex } from '../../shared/crypto/index.js';
import { conversationPacketCodec } from '../../shared/protocol/index.js';
import { memoryStore } from '../../shared/runtime/index.js';
import { decode, decodeClientFrame, decodeEnvelope } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { serveBackend } from './support/store-rpc.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

const KILLS = 50;
const TOTAL = 80;
const WORKER = new URL('./support/crash-agent-worker.ts', import.meta.url).href;

type Report =
  | { type: 'resumed'; ids: string[]; enrolled: boolean }
  | { type: 'live'; id: string; from: string; text: string }
  | { type: 'wire'; frame: Uint8Array }
  | { type: 'all-sent' };

interface Run {
  readonly resumed: Set<string>;
  readonly live: string[];
  resumedSeen: boolean;
  allSent: boolean;
  exited: boolean;
}

describe('#11.4: crash anywhere, agent side', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let setup: AgentHandle;
  let accountId = '';
  let pin = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    setup = agentRuntime();
    pin = (await newAccount(relay.origin, setup)).fingerprint;
    accountId = (await setup.runtime.status()).accountId ?? '';
    await waitFor(
      async () => ((await setup.store.account())?.published.uploadedThrough ?? 0) === 100,
      'the prekeys uploaded',
    );
    setup.runtime.dispose();
    await new Promise((r) => setTimeout(r, 200));
  }, 60_000);

  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#11.4: 50 kills of the agent: every message and answer once and in order, no key or nonce reused', async () => {
    const store = memoryStore(setup.db);
    const runs: Run[] = [];
    const wires: Uint8Array[] = [];
    const launch = (): { run: Run; worker: Worker } => {
      const { port1, port2 } = new MessageChannel();
      serveBackend(setup.db, port1);
      const run: Run = { resumed: new Set(), live: [], resumedSeen: false, allSent: false, exited: false };
      const worker = new Worker(
        `import('tsx/esm/api').then((a) => { a.register(); return import(${JSON.stringify(WORKER)}); }).then((m) => m.runCrashAgent())`,
        { eval: true, workerData: { total: TOTAL, storePort: port2 }, transferList: [port2] },
      );
      worker.on('message', (r: Report) => {
        if (r.type === 'resumed') {
          for (const id of r.ids) run.resumed.add(id);
          run.resumedSeen = true;
        } else if (r.type === 'live') run.live.push(r.id);
        else if (r.type === 'wire') wires.push(r.frame);
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

    let current = launch();
    await waitFor(() => current.run.resumedSeen, 'the first run', 30_000);
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    await visitor.runtime.openConversation();
    const expected = Array.from({ length: TOTAL }, (_, i) => `v-${i}`);
    const writing = (async () => {
      for (const text of expected) {
        await visitor.runtime.sendText(text);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    let kills = 0;
    while (kills < KILLS) {
      const { run, worker } = current;
      await waitFor(() => run.resumedSeen || run.exited, 'the run to resume', 30_000);
      await new Promise((r) => setTimeout(r, ((secureRandom(1)[0] ?? 0) * 250) / 255));
      await worker.terminate();
      kills += 1;
      current = launch();
    }
    await writing;
    const answers = (): string[] =>
      visitor.events.of('message').flatMap((m) => (m.from === 'agent' && m.body.kind === 'text' ? [m.body.text] : []));
    await waitFor(() => answers().length >= TOTAL, 'every answer at the visitor', 90_000);
    await waitFor(() => current.run.allSent, 'the last run to finish', 30_000);

    // The visitor saw every answer once, in order.
    expect(answers()).toEqual(expected.map((t) => `a-${t}`));
    const visitorIds = visitor.events.of('message').map((m) => m.id);
    expect(new Set(visitorIds).size).toBe(visitorIds.length);
    expect(visitor.events.of('alert').filter((a) => a.kind !== 'replay')).toEqual([]);

    // The agent's store holds every message and every answer once, in order.
    const [id] = await store.conversationIds();
    // The shown messages are rows beside the record (conversation-messages.ts), in the order shown.
    const shown = id === undefined ? [] : (await store.messages(id)).map((r) => r.value.message);
    const texts = (from: string): string[] =>
      shown.flatMap((m) => (m.from === from && m.body.kind === 'text' ? [m.body.text] : []));
    expect(texts('visitor')).toEqual(expected);
    expect(texts('self')).toEqual(expected.map((t) => `a-${t}`));

    // Shown once by the agent, and saved before shown.
    const shownLive = runs.flatMap((r) => r.live);
    expect(new Set(shownLive).size).toBe(shownLive.length);
    for (const [i, run] of runs.entries()) {
      for (const shown of run.live) expect(run.resumed.has(shown)).toBe(false);
      const next = runs[i + 1];
      if (next?.resumedSeen === true) for (const shown of run.live) expect(next.resumed.has(shown)).toBe(true);
    }

    // No ratchet key or nonce used twice by the agent.
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
      `agent crash test: ${kills} kills, ${TOTAL} visitor messages and ${TOTAL} answers, ${packets} packets sent ` +
        `(${used.size} distinct), ${shownLive.length} shown live, 0 shown twice, 0 key or nonce reuse`,
    );
    visitor.runtime.dispose();
  }, 400_000);
});
