/**
 * PROTOCOL §9.6, §8: attachments in the inbox archive and across conversations, against a real relay
 * process. A history record of an attachment carries its reference, so a device linked later opens
 * the file (the bytes the visitor sent, checked against the chunk hash chain), not only its name.
 * An attachment is found by its conversation and message id: an agent device's sequence numbers
 * start at 1 in every conversation, so the same message id names a file in each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureRandom } from '../../shared/crypto/index.js';
import type { AttachmentHandle, ChatMessage } from '../../shared/runtime/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, link, newAccount, visitorWrites, waitFor } from './support/runtime-world.js';

function pictureOf(bytes: Uint8Array): Blob {
  return new Blob([new Uint8Array(bytes)], { type: 'image/png' });
}

function attachmentsOf(messages: readonly ChatMessage[]): AttachmentHandle[] {
  return messages.flatMap((m) => (m.body.kind === 'attachment' ? [m.body.attachment] : []));
}

async function opened(agent: AgentHandle, handle: AttachmentHandle): Promise<Uint8Array> {
  return new Uint8Array(await (await agent.runtime.openAttachment(handle)).arrayBuffer());
}

describe('§9.6: attachments in the archive and in two conversations', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;
  let account = { accountId: '', pin: '' };
  const fromVisitor = secureRandom(90_000);
  const inFirst = secureRandom(70_000);
  const inSecond = secureRandom(80_000);
  let first = '';
  let second = '';
  let ownFirst = '';
  let ownSecond = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    owner = agentRuntime();
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    account = { accountId: (await owner.runtime.status()).accountId ?? '', pin };
    const a = await visitorWrites(relay.origin, account, 'the label, please', [owner]);
    first = a.conversationId;
    const picture = await a.visitor.runtime.sendAttachment(pictureOf(fromVisitor), 'parcel.png');
    await waitFor(() => owner.events.of('message').some((m) => m.id === picture), 'the visitor’s picture');
    ownFirst = await owner.runtime.sendAttachment(first, pictureOf(inFirst), 'label-a.png');
    const b = await visitorWrites(relay.origin, account, 'mine too', [owner]);
    second = b.conversationId;
    ownSecond = await owner.runtime.sendAttachment(second, pictureOf(inSecond), 'label-b.png');
    for (const v of [a.visitor, b.visitor]) v.runtime.dispose();
  }, 120_000);

  afterAll(async () => {
    owner.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('the same message id in two conversations opens the file of the conversation asked for', async () => {
    // The owner's first frame in each conversation is its picture: one id, two files.
    expect(ownSecond).toBe(ownFirst);
    const [inA] = attachmentsOf(await owner.runtime.history(first)).filter((h) => h.messageId === ownFirst);
    const [inB] = attachmentsOf(await owner.runtime.history(second)).filter((h) => h.messageId === ownSecond);
    if (inA === undefined || inB === undefined) throw new Error('the owner does not show its two pictures');
    expect(inA.conversationId).toBe(first);
    expect(inB.conversationId).toBe(second);
    expect(await opened(owner, inB)).toEqual(inSecond);
    expect(await opened(owner, inA)).toEqual(inFirst);
  });

  it('a device linked later opens the attachments written before it was linked, from the archive', async () => {
    const late = await link(relay.origin, owner);
    await waitFor(
      async () => {
        await late.runtime.conversations();
        return attachmentsOf(await late.runtime.history(first)).length === 2;
      },
      'both pictures of the first conversation on the linked device',
      30_000,
    );
    const handles = attachmentsOf(await late.runtime.history(first));
    expect(handles.map((h) => h.name)).toEqual(['parcel.png', 'label-a.png']);
    expect(handles.every((h) => h.conversationId === first)).toBe(true);
    const [parcel, label] = handles;
    if (parcel === undefined || label === undefined) throw new Error('two pictures expected');
    expect(await opened(late, parcel)).toEqual(fromVisitor);
    expect(await opened(late, label)).toEqual(inFirst);
    await waitFor(
      async () => attachmentsOf(await late.runtime.history(second)).length === 1,
      'the picture of the second conversation on the linked device',
      30_000,
    );
    const [other] = attachmentsOf(await late.runtime.history(second));
    if (other === undefined) throw new Error('no picture in the second conversation');
    expect(await opened(late, other)).toEqual(inSecond);
    expect(late.events.of('alert')).toEqual([]);
    late.runtime.dispose();
  }, 120_000);
});
