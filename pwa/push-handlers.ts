/**
 * The PWA service worker's Web Push handling (issue #15 item 4; PROTOCOL §16.9), bundled on its own
 * into `sw-push.js` and loaded by the workbox worker with importScripts (vite.config.ts).
 *
 * The relay's push carries a constant and nothing else: whatever arrives, the notification is the
 * same generic line, never content, never a name (notification centres keep and sometimes sync
 * what they show). The app fetches and decrypts the messages itself once opened. A click focuses
 * an open Sealdesk window, or opens /app/. The notification is silent unless "Play a sound for new
 * messages" is on (ui/app/device-prefs.ts: the worker shares the pages' IndexedDB).
 */
import { readDevicePrefs } from '../ui/app/device-prefs.js';

export const NOTIFICATION_TITLE = 'Sealdesk';
export const NOTIFICATION_BODY = 'New message in Sealdesk';
/** One notification at a time: a new wake-up replaces the one still shown. */
export const NOTIFICATION_TAG = 'sealdesk-wake';

interface ExtendableEventLike {
  waitUntil(promise: Promise<unknown>): void;
}

interface NotificationClickLike extends ExtendableEventLike {
  readonly notification: { close(): void };
}

interface WindowClientLike {
  readonly url: string;
  focus(): Promise<unknown>;
}

/** What this file uses of ServiceWorkerGlobalScope (the project's TypeScript lib is DOM, not WebWorker). */
export interface PushWorkerScope {
  readonly registration: {
    readonly scope: string;
    showNotification(title: string, options: NotificationOptions): Promise<void>;
  };
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  addEventListener(type: 'push', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationClickLike) => void): void;
}

function isPushWorkerScope(value: unknown): value is PushWorkerScope {
  return (
    typeof value === 'object' &&
    value !== null &&
    'registration' in value &&
    'clients' in value &&
    'addEventListener' in value
  );
}

async function focusOrOpen(scope: PushWorkerScope): Promise<void> {
  const app = scope.registration.scope;
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => w.url.startsWith(app));
  if (open !== undefined) await open.focus();
  else await scope.clients.openWindow(app);
}

/** The wake-up notification's options: the same generic line, silent unless sound is on. */
export function wakeNotificationOptions(scope: string, sound: boolean): NotificationOptions {
  return { body: NOTIFICATION_BODY, tag: NOTIFICATION_TAG, icon: `${scope}icon-192.png`, silent: !sound };
}

/** `sound` reads the "Play a sound for new messages" preference at each push. */
export function installPushHandlers(scope: PushWorkerScope, sound: () => Promise<boolean>): void {
  scope.addEventListener('push', (event) => {
    event.waitUntil(
      sound().then((on) =>
        scope.registration.showNotification(NOTIFICATION_TITLE, wakeNotificationOptions(scope.registration.scope, on)),
      ),
    );
  });
  scope.addEventListener('notificationclick', (event) => {
    event.notification.close();
    event.waitUntil(focusOrOpen(scope));
  });
}

const here: unknown = globalThis;
if (isPushWorkerScope(here)) installPushHandlers(here, async () => (await readDevicePrefs(indexedDB)).sound);
