/**
 * A data directory holding an install with content, made through the real relay: one account,
 * one agent device, one conversation and `messages` queued envelopes for the device; the relay is
 * then stopped with SIGTERM (checkpointed, WAL truncated), so relay.sqlite holds everything.
 */
import { expect } from 'vitest';
import { startRelayProcess } from './relay-process.js';
import {
  type Account,
  type Conversation,
  type Device,
  connectVisitor,
  enrolDevice,
  envelope,
  openConversation,
  registerAndLogin,
} from './relay-api.js';

export const FILL_ENV = { SEALDESK_MESSAGES_PER_SECOND: '100000' } as const;

export interface FilledInstall {
  readonly account: Account;
  readonly agent: Device;
  readonly conversation: Conversation;
}

export async function fillInstall(dataDir: string, messages: number, bodyBytes = 100): Promise<FilledInstall> {
  const relay = await startRelayProcess(dataDir, FILL_ENV);
  try {
    const account = await registerAndLogin(relay.origin, 'filled@example.test');
    const agent = await enrolDevice(relay.origin, account);
    const conversation = await openConversation(relay.origin, account.accountId);
    const visitor = await connectVisitor(relay.wsUrl, conversation);
    for (let i = 1; i <= messages; i += 1)
      visitor.send({
        type: 'send',
        requestId: i,
        // Numbered past 255 too: equal envelopes would be one message and its resends (PROTOCOL §16.2).
        envelope: envelope(
          conversation.conversationId,
          { device: agent.deviceId },
          new Uint8Array(bodyBytes).fill(i & 0xff).fill(i >> 8, 0, 1),
        ),
      });
    await visitor.until((f) => f.filter((x) => x.type === 'stored').length === messages, 'stored', 30_000);
    await visitor.close();
    expect(await relay.stop('SIGTERM')).toBe(0);
    return { account, agent, conversation };
  } finally {
    await relay.stop('SIGKILL');
  }
}
