/**
 * Automatic away in a page of the agent app (issue #15 item 1): the platform's idle detection,
 * with this device's "away after" preference, reported to the runtime (`setIdle`), which decides
 * what to write (shared/runtime/agent-auto-away.ts: only an automatic away is undone). Opening a
 * page counts as use, so an automatic away left from before ends. Several pages report the same
 * changes; the runtime writes a presence record only when the status changes.
 */
import type { AgentRuntime } from '../../shared/runtime/index.js';
import type { DevicePrefs } from './device-prefs.js';
import type { IdlePlatform } from './platform.js';

export interface AutoAwayPorts {
  readonly runtime: Pick<AgentRuntime, 'setIdle'>;
  readonly idle: IdlePlatform;
  /** This device's preferences now, and their later changes. */
  readonly prefs: () => Promise<DevicePrefs>;
  readonly onPrefsChange: (listener: (prefs: DevicePrefs) => void) => () => void;
}

/** Starts watching; returns the function that stops. */
export function startAutoAway(ports: AutoAwayPorts): () => void {
  let stopWatch: () => void = () => undefined;
  let stopped = false;

  function report(idle: boolean): void {
    // Not enrolled yet, or the runtime stopping: the next change reports again.
    ports.runtime.setIdle(idle).catch(() => undefined);
  }

  function watch(prefs: DevicePrefs): void {
    stopWatch();
    stopWatch = () => undefined;
    if (stopped || prefs.awayAfterMinutes === 0) return;
    stopWatch = ports.idle.watch(prefs.awayAfterMinutes, report);
  }

  report(false);
  const stopPrefs = ports.onPrefsChange(watch);
  void ports.prefs().then(watch);
  return () => {
    stopped = true;
    stopWatch();
    stopPrefs();
  };
}
