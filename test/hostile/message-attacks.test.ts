/**
 * Issue #16 item 2, end to end: the hostile proxy between the real runtimes and a real relay
 * process attacks the ciphertext frames of a live conversation. Each test asserts what a person
 * sees through the runtime's events: no attacker content shown, the named alert in plain words,
 * and a later honest message shown (THREAT-MODEL §4, PROTOCOL §7).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateX25519KeyPair, secureRandom } from '../../shared/crypto/index.js';
import type { VisitorHandle } from '../runtime/support/runtime-world.js';
import { type HostileWorld, hostileWorld, textsOf, waitFor } from '../support/hostile-proxy-world.js';
import {
  HeldFrames,
  interceptDelivers,
  toDevice,
  toVisitor,
  withAttackerTail,
  withSwappedVisitorKey,
} from '../support/hostile-proxy-frames.js';

const ATTACKER_TEXT = 'Pay the refund to IBAN XX00 EVIL';

/** What the visitor is shown as coming from the business. */
const repliesAt = (visitor: VisitorHandle) => visitor.events.of('message').filter((m) => m.from === 'agent');

describe('#16.2: attacks on the conversation through the hostile proxy (real relay, real runtimes)', () => {
  let world: HostileWorld;
  let agentDevice = '';

  beforeAll(async () => {
    world = await hostileWorld();
    agentDevice = (await world.agent.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
  }, 60_000);

  afterEach(() => {
    world.proxy.honest();
  });

  afterAll(async () => {
    await world.stop();
  });

  /** What the agent is shown as coming from the visitor. */
  const agentSees = (conversationId: string) =>
    world.agent.events.of('message').filter((m) => m.conversationId === conversationId && m.from === 'visitor');
  const agentAlerts = (conversationId: string) =>
    world.agent.events.of('alert').filter((a) => a.conversationId === conversationId);

  async function agentSays(conversationId: string, visitor: VisitorHandle, text: string): Promise<void> {
    const id = await world.agent.runtime.sendText(conversationId, text);
    await waitFor(() => visitor.events.of('message').some((m) => m.id === id), `"${text}" at the visitor`, 20_000);
  }

  it('#16.2 F3: a message injected as the business reaches the visitor as a forged-message alert, never as text; the genuine reply and the next are shown', async () => {
    const { visitor, conversationId } = await world.conversation();
    world.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, (frame) => [
      { ...frame, envelope: withAttackerTail(frame.envelope, ATTACKER_TEXT), cursor: 0 },
      frame,
    ]);
    await agentSays(conversationId, visitor, 'Your parcel left this morning.');
    await waitFor(() => visitor.events.of('alert').length > 0, 'the alert');
    expect(visitor.events.of('alert')).toMatchObject([
      { kind: 'forged', severity: 'danger', title: 'A forged message was refused' },
    ]);
    await agentSays(conversationId, visitor, 'Anything else?');
    expect(textsOf(repliesAt(visitor))).toEqual(['Your parcel left this morning.', 'Anything else?']);
    // #16.2: the refusal is kept with the conversation; the page reloaded (a new runtime on the same
    // storage) still shows it.
    visitor.runtime.dispose();
    const reloaded = world.visitor(visitor.storage.db);
    const resumed = (await reloaded.runtime.start()).conversation;
    expect(resumed?.alerts).toMatchObject([{ kind: 'forged', title: 'A forged message was refused', conversationId }]);
    reloaded.runtime.dispose();
  }, 60_000);

  it('#16.2 F20: a message injected as the visitor reaches the agent as a forged-message alert; the visitor’s next message is shown', async () => {
    const { visitor, conversationId } = await world.conversation();
    world.proxy.relayFrameHook = interceptDelivers(toDevice(agentDevice), 1, (frame) => [
      { ...frame, envelope: withAttackerTail(frame.envelope, ATTACKER_TEXT), cursor: 0 },
      frame,
    ]);
    const genuine = await visitor.runtime.sendText('my order is A-1');
    await waitFor(() => agentSees(conversationId).some((m) => m.id === genuine), 'the genuine message');
    expect(agentAlerts(conversationId)).toMatchObject([
      { kind: 'forged', severity: 'danger', title: 'A forged message was refused' },
    ]);
    const next = await visitor.runtime.sendText('thanks');
    await waitFor(() => agentSees(conversationId).some((m) => m.id === next), 'the next message');
    expect(textsOf(agentSees(conversationId))).toEqual(['hello', 'my order is A-1', 'thanks']);
  }, 60_000);

  it('#16.2 F9: a reply the proxy delivers twice is shown once with a repeated-message notice; the next is shown', async () => {
    const { visitor, conversationId } = await world.conversation();
    world.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, (frame) => [frame, { ...frame }]);
    await agentSays(conversationId, visitor, 'Refund of 20 EUR sent.');
    await waitFor(() => visitor.events.of('alert').length > 0, 'the alert');
    expect(visitor.events.of('alert')).toMatchObject([
      { kind: 'replay', severity: 'info', title: 'A repeated message was ignored' },
    ]);
    await agentSays(conversationId, visitor, 'Bye for now.');
    expect(textsOf(repliesAt(visitor))).toEqual(['Refund of 20 EUR sent.', 'Bye for now.']);
  }, 60_000);

  it('#16.2 F9: a reply the proxy drops is a "message may be missing" alert once the next arrives; the next is shown', async () => {
    const { visitor, conversationId } = await world.conversation();
    world.proxy.relayFrameHook = interceptDelivers(toVisitor, 1, () => []);
    await world.agent.runtime.sendText(conversationId, 'This one is dropped.');
    await agentSays(conversationId, visitor, 'This one arrives.');
    expect(visitor.events.of('alert')).toMatchObject([
      { kind: 'gap', severity: 'warning', title: 'A message may be missing' },
    ]);
    expect(textsOf(repliesAt(visitor))).toEqual(['This one arrives.']);
  }, 60_000);

  it('#16.2 F9: two replies the proxy delivers in reverse are shown in the order sent, without an alert', async () => {
    const { visitor, conversationId } = await world.conversation();
    const held = new HeldFrames();
    world.proxy.relayFrameHook = interceptDelivers(toVisitor, 2, (frame, socket) => held.hold(frame, socket));
    await world.agent.runtime.sendText(conversationId, 'first');
    await world.agent.runtime.sendText(conversationId, 'second');
    await waitFor(() => held.frames.length === 2, 'both replies held');
    held.release(1);
    held.release(0);
    await waitFor(() => repliesAt(visitor).length === 2, 'both replies');
    expect(textsOf(repliesAt(visitor))).toEqual(['first', 'second']);
    await agentSays(conversationId, visitor, 'third');
    expect(textsOf(repliesAt(visitor))).toEqual(['first', 'second', 'third']);
    expect(visitor.events.of('alert')).toEqual([]);
  }, 60_000);

  it('#16.2 F2: a first message whose visitor key the proxy swapped for its own is refused at the agent (forged alert); the genuine one opens the conversation', async () => {
    const attacker = await generateX25519KeyPair();
    const visitor = world.visitor();
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const alertsBefore = world.agent.events.of('alert').length;
    world.proxy.relayFrameHook = interceptDelivers(toDevice(agentDevice), 1, (frame) => {
      const swapped = withSwappedVisitorKey(frame.envelope, attacker.publicKey);
      if (swapped === undefined) throw new Error('the first delivery is not a first contact');
      return [{ ...frame, envelope: swapped, cursor: 0 }, frame];
    });
    const hello = await visitor.runtime.sendText('hello, this is really me');
    await waitFor(() => agentSees(conversationId).some((m) => m.id === hello), 'the genuine first message');
    // The refused first contact opened no conversation at the agent: its alert names none.
    expect(world.agent.events.of('alert').slice(alertsBefore)).toMatchObject([
      { kind: 'forged', severity: 'danger', title: 'A forged message was refused' },
    ]);
    await agentSays(conversationId, visitor, 'Hello, how can we help?');
    const next = await visitor.runtime.sendText('about my order');
    await waitFor(() => agentSees(conversationId).some((m) => m.id === next), 'the next message');
    expect(textsOf(agentSees(conversationId))).toEqual(['hello, this is really me', 'about my order']);
  }, 60_000);

  it('#16.2 #9.4: the visitor’s last two messages dropped while the agent closes: the visitor is told "Your last messages may not have arrived"; a new conversation works', async () => {
    const { visitor, conversationId } = await world.conversation();
    world.proxy.relayFrameHook = interceptDelivers(toDevice(agentDevice), 2, () => []);
    await visitor.runtime.sendText('please cancel order A-1');
    await visitor.runtime.sendText('and refund it');
    await waitFor(
      () => visitor.events.of('status').filter((s) => s.status === 'stored').length >= 3,
      'the relay stored both messages',
    );
    await world.agent.runtime.close(conversationId, 'done');
    await waitFor(() => visitor.events.of('closed').length > 0, 'the close at the visitor');
    expect(visitor.events.of('alert')).toMatchObject([
      { kind: 'truncation', severity: 'warning', title: 'Your last messages may not have arrived' },
    ]);
    expect(textsOf(agentSees(conversationId))).toEqual(['hello']);
    world.proxy.honest();
    const again = await visitor.runtime.openConversation();
    const id = await visitor.runtime.sendText('I start again');
    await waitFor(() => agentSees(again.conversationId).some((m) => m.id === id), 'the new conversation');
  }, 60_000);

  it('#16.2 F16: an attachment with one chunk swapped in from another file is refused, "A file was damaged or altered"; the genuine file opens afterwards', async () => {
    const { visitor, conversationId } = await world.conversation();
    const uploads: { path: string; body: Uint8Array }[] = [];
    world.proxy.httpHook = (exchange) => {
      if (exchange.method === 'PUT' && exchange.path.includes('/attachments/'))
        uploads.push({ path: exchange.path, body: exchange.requestBody });
      return undefined;
    };
    const [a, b] = [secureRandom(150_000), secureRandom(150_000)];
    const fileA = await visitor.runtime.sendAttachment(new Blob([new Uint8Array(a)]), 'invoice.pdf');
    await visitor.runtime.sendAttachment(new Blob([new Uint8Array(b)]), 'other.pdf');
    await waitFor(() => agentSees(conversationId).length === 3, 'both files at the agent');
    const [upA, upB] = uploads;
    if (upA === undefined || upB === undefined) throw new Error('the two uploads were not seen');
    // Sealed chunks are 65,536 bytes (PROTOCOL §13): the second one of A is replaced by B's second one.
    const spliced = new Uint8Array(upA.body);
    spliced.set(upB.body.subarray(65_536, 131_072), 65_536);
    world.proxy.httpHook = (exchange) =>
      exchange.method === 'GET' && exchange.path === upA.path ? { ...exchange, body: spliced } : undefined;
    const handle = agentSees(conversationId).find((m) => m.id === fileA);
    if (handle?.body.kind !== 'attachment') throw new Error('not an attachment');
    await expect(world.agent.runtime.openAttachment(handle.body.attachment)).rejects.toMatchObject({
      name: 'AttachmentTamperedError',
    });
    expect(agentAlerts(conversationId)).toMatchObject([
      { kind: 'attachment-tampered', severity: 'danger', title: 'A file was damaged or altered' },
    ]);
    world.proxy.honest();
    const opened = await world.agent.runtime.openAttachment(handle.body.attachment);
    expect(new Uint8Array(await opened.arrayBuffer())).toEqual(a);
  }, 60_000);
});
