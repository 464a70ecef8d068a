/**
 * TEST CODE ONLY: replaces widget/chat/visitor-runtime-factory.ts in the test builds of the widget
 * (scripts/widget/build-widget.ts `runtimeFactory`), so the chat UI runs against the scripted runtime.
 * The scenario comes from the page's address (`?scenario=ok|prechat|pin-mismatch|unavailable`).
 */
import type { VisitorRuntime } from '../../../shared/runtime/index.js';
import { ScriptedVisitorRuntime } from './scripted-visitor-runtime.js';

export function createWidgetRuntime(): VisitorRuntime {
  const scenario = new URLSearchParams(location.search).get('scenario') ?? 'ok';
  return new ScriptedVisitorRuntime(scenario);
}
