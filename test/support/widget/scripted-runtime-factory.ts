/**
 * TEST CODE ONLY: replaces widget/chat/visitor-runtime-factory.ts in the test builds of the widget
 * (scripts/widget/build-widget.ts `runtimeFactory`), so the chat UI runs against the scripted runtime.
 * The scenario comes from the page's address (`?scenario=ok|prechat|pin-mismatch|unavailable|stale-storage`).
 */
import type { RuntimeSource } from '../../../widget/chat/render-chat.js';
import { ScriptedVisitorRuntime } from './scripted-visitor-runtime.js';

export function widgetRuntimes(): RuntimeSource {
  let erased = false;
  return {
    create: () => {
      const scenario = new URLSearchParams(location.search).get('scenario') ?? 'ok';
      // After a fresh start the scripted browser holds nothing unreadable any more.
      return new ScriptedVisitorRuntime(erased && scenario === 'stale-storage' ? 'ok' : scenario);
    },
    eraseStored: () => {
      erased = true;
      return Promise.resolve();
    },
  };
}
