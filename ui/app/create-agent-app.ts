/**
 * The one way the extension and the PWA start the shared UI: a Vue app with Pinia (UI state only),
 * the router, the runtime (an AgentRuntime-shaped object: in the extension a bridge to the
 * background service worker, in the PWA a bridge to its runtime worker) and the platform.
 */
import { createPinia } from 'pinia';
import { createApp, type App } from 'vue';
import type { AgentRuntime } from '../../shared/runtime/index.js';
import '../design/tokens.css';
import '../design/base.css';
import { applyTheme, storedTheme } from '../design/theme.js';
import AppShell from '../components/app-shell.vue';
import { PLATFORM_KEY, RUNTIME_KEY } from './injection.js';
import type { AgentPlatform } from './platform.js';
import { startAutoAway } from './auto-away.js';
import { onDevicePrefsChange, readDevicePrefs } from './device-prefs.js';
import { playToneForMessages } from './message-tone.js';
import { usePrefsStore } from '../stores/prefs-store.js';
import { createAgentRouter } from './router.js';
import { refreshStores, wireRuntimeEvents } from './wire-events.js';

export interface AgentAppOptions {
  readonly runtime: AgentRuntime;
  readonly platform: AgentPlatform;
}

export function createAgentApp({ runtime, platform }: AgentAppOptions): App {
  applyTheme(storedTheme(), false);
  const app = createApp(AppShell);
  app.provide(RUNTIME_KEY, runtime);
  app.provide(PLATFORM_KEY, platform);
  app.use(createPinia());
  app.runWithContext(() => {
    const stop = wireRuntimeEvents(runtime);
    const detach = platform.onRuntimeAttach(() => {
      void app.runWithContext(refreshStores);
    });
    const stopAway = startAutoAway({
      runtime,
      idle: platform.idle,
      prefs: () => readDevicePrefs(indexedDB),
      onPrefsChange: onDevicePrefsChange,
    });
    const prefs = usePrefsStore();
    void prefs.load();
    const stopTone = playToneForMessages(
      runtime,
      () => prefs.prefs,
      () => document.hasFocus(),
    );
    app.onUnmount(() => {
      stop();
      detach();
      stopAway();
      stopTone();
      prefs.stop();
    });
  });
  app.use(createAgentRouter());
  return app;
}
