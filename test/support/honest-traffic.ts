/**
 * "Keeps working for honest traffic" (security brief §4): after an attack, one more honest
 * message each way must be sent, received and shown.
 */
import { expect } from 'vitest';
import { texts, type WorldConversation } from './world-conversation.js';

/** The visitor sends one message, every listed agent device shows it, `replier` answers, the visitor shows the answer. */
export async function expectHonestRoundTrip(
  convo: WorldConversation,
  tag: string,
  replier = 'ada-laptop',
): Promise<void> {
  const question = `honest question ${tag}`;
  const answer = `honest answer ${tag}`;
  await convo.visitorSends(question);
  for (const label of convo.agents.keys()) {
    if (!convo.world.devices.has(label)) continue;
    await convo.deliverToAgent(label);
  }
  expect(texts(convo.agent(replier))).toContain(question);
  await convo.agentSends(replier, answer);
  await convo.deliverToVisitor();
  expect(texts(convo.visitor)).toContain(answer);
  expect(texts(convo.visitor).filter((t) => t === answer)).toHaveLength(1);
}
