/**
 * Idle detection inside a page (issue #15 item 1; the PWA's IdlePlatform, which has no `idle`
 * permission to ask for): the device counts as idle after `minutes` without a pointer, key, touch
 * or wheel event in the page, and in use again at the next one or when the page becomes visible.
 * A hidden page gets no events, so it turns idle when its time is up (a background tab's timers
 * may fire late, which only delays the away). Clock and timers are injected for tests.
 */
import type { Timers } from '../../shared/transport/index.js';

/** What this file uses of a document: its events and its visibility. */
export interface ActivityDocument {
  readonly visibilityState: string;
  addEventListener(type: string, listener: () => void, options?: { readonly passive?: boolean }): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** The events that mean a person is using the app. */
export const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Calls `listener(true)` once the page has seen no activity for `minutes`, then `listener(false)`
 * at the next activity; only on changes. Returns the function that stops watching.
 */
export function watchActivity(
  doc: ActivityDocument,
  timers: Timers,
  minutes: number,
  listener: (idle: boolean) => void,
): () => void {
  const span = minutes * 60_000;
  let last = timers.now();
  let idle = false;
  let cancel = timers.after(span, check);

  function check(): void {
    const quiet = timers.now() - last;
    if (quiet < span) {
      cancel = timers.after(span - quiet, check);
      return;
    }
    idle = true;
    listener(true);
  }

  function active(): void {
    last = timers.now(); // a pointermove only records the time: no timer per event
    if (!idle) return;
    idle = false;
    listener(false);
    cancel = timers.after(span, check);
  }

  function visibility(): void {
    if (doc.visibilityState === 'visible') active();
  }

  for (const type of ACTIVITY_EVENTS) doc.addEventListener(type, active, { passive: true });
  doc.addEventListener('visibilitychange', visibility);
  return () => {
    cancel();
    for (const type of ACTIVITY_EVENTS) doc.removeEventListener(type, active);
    doc.removeEventListener('visibilitychange', visibility);
  };
}
