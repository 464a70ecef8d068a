/**
 * The unread count on the extension's toolbar button (issue #15 item 4): the sum of the
 * conversations' unread messages, recounted when a message arrives or a conversation changes
 * (a read receipt sent from any page). A number only: never a name or a text.
 */
import { browser } from '@wxt-dev/browser';
import type { AgentRuntime } from '../../shared/runtime/index.js';

const BADGE_COLOUR = '#d92d20';

/** What the badge shows for `unread` messages: nothing, the number, or 99+. */
export function badgeText(unread: number): string {
  if (unread <= 0) return '';
  return unread > 99 ? '99+' : String(unread);
}

export function showUnreadOnBadge(runtime: AgentRuntime): () => void {
  const state = { running: false, again: false };
  /** Whether an event came while counting (read through a call: it changes across the awaits). */
  const askedAgain = (): boolean => state.again;
  async function recount(): Promise<void> {
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    try {
      do {
        state.again = false;
        const total = (await runtime.conversations()).reduce((sum, summary) => sum + summary.unread, 0);
        await browser.action.setBadgeBackgroundColor({ color: BADGE_COLOUR });
        await browser.action.setBadgeText({ text: badgeText(total) });
      } while (askedAgain());
    } catch (error) {
      console.warn('Sealdesk: the toolbar badge could not be updated:', error instanceof Error ? error.message : error);
    } finally {
      state.running = false;
    }
  }
  const schedule = (): void => {
    void recount();
  };
  const off = [runtime.on('message', schedule), runtime.on('conversation', schedule)];
  schedule();
  return () => {
    for (const unsubscribe of off) unsubscribe();
  };
}
