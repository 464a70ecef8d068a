/**
 * Whether the visitor of one conversation is blocked at the relay, and blocking or unblocking it
 * (PROTOCOL §16.10, issue #15 item 6). Asked of the relay when the view opens; any role may block.
 */
import { type Ref, ref, watch } from 'vue';
import type { AgentRuntime } from '../../../shared/runtime/index.js';

export interface VisitorBlock {
  readonly blocked: Ref<boolean>;
  block(): Promise<void>;
  unblock(): Promise<void>;
}

export function useVisitorBlock(
  runtime: AgentRuntime,
  conversationId: () => string,
  run: (action: () => Promise<void>) => Promise<void>,
): VisitorBlock {
  const blocked = ref(false);
  const refresh = async (): Promise<void> => {
    const id = conversationId();
    const list = await runtime.blockedConversations();
    if (id === conversationId()) blocked.value = list.some((b) => b.conversationId === id);
  };
  watch(conversationId, () => run(refresh), { immediate: true });
  return {
    blocked,
    block: () =>
      run(async () => {
        await runtime.blockVisitor(conversationId());
        blocked.value = true;
      }),
    unblock: () =>
      run(async () => {
        await runtime.unblockVisitor(conversationId());
        blocked.value = false;
      }),
  };
}
