/**
 * #11.3: alerts reach the UI in plain words and honest traffic goes on: a visitor message whose
 * ciphertext was altered on the way (re-sent with one bit flipped through the visitor's own queue,
 * as a relay could) is a replay (info); one altered in transit is refused with `forged`; the
 * visitor's next message is shown after the gap is declared. #16.2: the alerts are kept with the
 * conversation, so a runtime restarted on the same store (a page attaching later) still has them.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../shared/crypto/index.js';
import { InvalidContentError } from '../../shared/protocol/index.js';
import { type PlainAlert, createAgentRuntime, memoryStore } from '../../shared/runtime/index.js';
import { MemoryDatabase } from '../../shared/storage/index.js';
import { type WebSocketConstructor } from '../../shared/transport/index.js';
import {
  type SendFrame,
  asConversationId,
  decodeClientFrame,
  encodeClientFrame,
  idBytesFromHex,
  idToHex,
} from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { connectVisitor, opaqueClient } from '../relay/support/relay-api.js';
import { SocketTracker } from '../transport/support/transport-fixture.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

/** `ws` that remembers every `send` frame the runtime puts on the socket. */
class CapturingSockets extends SocketTracker {
  readonly sent: SendFrame[] = [];
  /** Flip one ciphertext bit of the next send, as a relay could in transit. */
  readonly tamper = { next: false };
  override readonly WebSocket: WebSocketConstructor;

  constructor() {
    super();
    const sent = this.sent;
    const tamper = this.tamper;
    this.WebSocket = class extends WebSocket {
      constructor(url: string) {
        super(url, { perMessageDeflate: false });
      }
      override send(frame: Uint8Array): void {
        const decoded = decodeClientFrame(frame);
        if (decoded.type === 'send') {
          sent.push(decoded);
          if (tamper.next) {
            tamper.next = false;
            const envelope = flipLastBit(decoded.envelope);
            super.send(encodeClientFrame({ ...decoded, envelope }));
            return;
          }
        }
        super.send(frame);
      }
    };
  }
}

function flipLastBit(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes);
  out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 1;
  return out;
}

describe('#11.3: alerts in plain words, traffic goes on', () => {
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
  }, 60_000);

  afterAll(async () => {
    agent.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#11.3: a tampered message raises `forged`; the next honest one is shown', async () => {
    const sockets = new CapturingSockets();
    const visitor = visitorRuntime(relay.origin, accountId, pin, undefined, sockets);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const first = await visitor.runtime.sendText('first');
    await waitFor(() => agent.events.of('message').some((m) => m.id === first), 'the first message');
    const second = await visitor.runtime.sendText('second');
    await waitFor(() => agent.events.of('message').some((m) => m.id === second), 'the second message');

    // The second message's envelope with one ciphertext bit flipped, sent again on the visitor's queue.
    const original = sockets.sent.at(-1)?.envelope;
    if (original === undefined) throw new Error('no envelope captured');
    const tampered = flipLastBit(original);
    const [id] = await memoryStore(visitor.storage.db).conversationIds();
    const record = id === undefined ? undefined : await memoryStore(visitor.storage.db).conversation(id);
    if (record?.capability === undefined) throw new Error('no capability stored');
    const raw = await connectVisitor(relay.wsUrl, {
      conversationId: idToHex(record.protocol.conversationId),
      capability: toBase64Url(record.capability),
    });
    raw.send({ type: 'send', requestId: 1, envelope: tampered });
    // A copy of an old message: its key was used already (PROTOCOL §6.5), shown once, said so.
    await waitFor(() => agent.events.of('alert').length > 0, 'the replay alert');
    expect(agent.events.of('alert')[0]).toMatchObject({ kind: 'replay', severity: 'info', conversationId });
    await raw.close();

    // A message altered in transit: refused with `forged`, never shown.
    sockets.tamper.next = true;
    await visitor.runtime.sendText('altered on the way');
    await waitFor(() => agent.events.of('alert').length > 1, 'the forged alert');
    expect(agent.events.of('alert')[1]).toMatchObject({
      kind: 'forged',
      severity: 'danger',
      title: 'A forged message was refused',
      conversationId,
    });

    // Honest traffic goes on: the next message waits for the missing one for the reorder window,
    // then the gap is declared (tick) and it is shown.
    const next = await visitor.runtime.sendText('still here');
    await waitFor(() => agent.events.of('message').some((m) => m.id === next), 'the next honest message', 15_000);
    expect(agent.events.of('alert').map((a) => a.kind)).toEqual(['replay', 'forged', 'gap']);
    const texts = agent.events.of('message').map((m) => (m.body.kind === 'text' ? m.body.text : m.body.kind));
    expect(texts).toEqual(['first', 'second', 'still here']);
    visitor.runtime.dispose();

    // #16.2: the alerts are kept with the conversation, each with the id its event carried.
    const raised = agent.events.of('alert');
    expect(raised.every((a) => typeof a.id === 'string' && /^[0-9a-f]{16}$/.test(a.id))).toBe(true);
    expect(new Set(raised.map((a) => a.id)).size).toBe(3);
    expect(await agent.runtime.alerts(conversationId)).toEqual(raised);
  }, 60_000);

  /** Runtime A takes a forged message with no UI attached (no `alert` listener at all). */
  async function forgedAlertUnseen(): Promise<{
    db: MemoryDatabase;
    conversationId: string;
    keptBefore: readonly PlainAlert[];
  }> {
    const db = new MemoryDatabase();
    const setup = agentRuntime(db);
    const ownPin = (await newAccount(relay.origin, setup)).fingerprint;
    const ownAccount = (await setup.runtime.status()).accountId ?? '';
    setup.runtime.dispose();
    const unseen = createAgentRuntime({
      store: memoryStore(db),
      opaque: opaqueClient,
      fetch,
      WebSocket: new SocketTracker().WebSocket,
    });
    await unseen.status();
    const sockets = new CapturingSockets();
    const visitor = visitorRuntime(relay.origin, ownAccount, ownPin, undefined, sockets);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const first = await visitor.runtime.sendText('first');
    await waitFor(
      async () => (await unseen.history(conversationId)).some((m) => m.id === first),
      'the first message taken by a runtime nobody listens to',
    );
    sockets.tamper.next = true;
    await visitor.runtime.sendText('altered on the way');
    await waitFor(async () => (await unseen.alerts(conversationId)).length > 0, 'the forged alert kept');
    const keptBefore = await unseen.alerts(conversationId);
    unseen.dispose();
    visitor.runtime.dispose();
    return { db, conversationId, keptBefore };
  }

  it('#16.2: an alert nobody saw is still there after a restart on the same store', async () => {
    const { db, conversationId, keptBefore } = await forgedAlertUnseen();

    // Runtime B on the same store (a restarted worker): the alert is read back, no event needed.
    const restarted = agentRuntime(db);
    const kept = await restarted.runtime.alerts(conversationId);
    expect(kept).toEqual(keptBefore);
    expect(kept.map((a) => [a.kind, a.title, a.conversationId])).toEqual([
      ['forged', 'A forged message was refused', conversationId],
    ]);
    expect(restarted.events.of('alert')).toEqual([]);
    const history = await restarted.runtime.history(conversationId);
    restarted.runtime.dispose();

    // A record saved before the field existed (the same record without `alerts`) reads as no alerts.
    const store = memoryStore(db);
    const id = asConversationId(idBytesFromHex(conversationId));
    const saved = await store.conversation(id);
    if (saved?.alerts === undefined) throw new Error('the alerts were not kept in the conversation record');
    const { alerts, ...older } = saved;
    expect(alerts).toEqual(keptBefore);
    await store.commit({ conversations: [{ conversationId: id, state: older }] });
    const fromOlder = agentRuntime(db);
    expect(await fromOlder.runtime.alerts(conversationId)).toEqual([]);
    expect(await fromOlder.runtime.history(conversationId)).toEqual(history);
    fromOlder.runtime.dispose();
  }, 60_000);

  it('#16.2: a dismissed alert stays dismissed after a restart on the same store', async () => {
    const { db, conversationId, keptBefore } = await forgedAlertUnseen();
    const [forged] = keptBefore;
    if (forged?.id === undefined) throw new Error('no kept alert');
    const first = agentRuntime(db);
    await expect(first.runtime.dismissAlert('not an id', conversationId)).rejects.toBeInstanceOf(InvalidContentError);
    await first.runtime.dismissAlert(forged.id, conversationId);
    first.runtime.dispose();

    // A restarted runtime lists it, marked dismissed, and nothing else changed in the log.
    const restarted = agentRuntime(db);
    expect(await restarted.runtime.alerts(conversationId)).toEqual([{ ...forged, dismissed: true }]);
    // Dismissing again, or an id kept nowhere, changes nothing.
    await restarted.runtime.dismissAlert(forged.id, conversationId);
    await restarted.runtime.dismissAlert('0123456789abcdef');
    expect(await restarted.runtime.alerts(conversationId)).toEqual([{ ...forged, dismissed: true }]);
    restarted.runtime.dispose();
  }, 60_000);
});
