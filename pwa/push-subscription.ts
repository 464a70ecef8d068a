/**
 * The PWA's Web Push subscription (PROTOCOL §16.9): `pushManager.subscribe` on the app's service
 * worker registration with the relay's VAPID key, read back as the endpoint and RFC 8291 keys the
 * relay needs. Failures become the app's typed errors (permission refused, push service unreachable).
 */
import type { PushSubscriptionKeys } from '../shared/transport/index.js';
import { PermissionDeniedError, PushUnavailableError } from '../ui/errors/app-errors.js';
import type { PushPlatform } from '../ui/app/platform.js';

/**
 * How long the browser's push service may take to answer a subscription. Chromium waits without end
 * when its vendor's push service is unreachable; the person is told instead of left waiting.
 */
const SUBSCRIBE_DEADLINE_MS = 20_000;

/** How long the app's service worker may take to be active (it is, once the app has loaded once). */
const WORKER_DEADLINE_MS = 10_000;

/** `work`, or PushUnavailableError(`lateReason`) when it has not settled after `ms`. */
async function withDeadline<T>(work: Promise<T>, ms: number, lateReason: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new PushUnavailableError(lateReason));
    }, ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function hasPush(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window;
}

/** The active registration; `ready` never settles when the worker failed to install, so it is bounded. */
async function registration(): Promise<ServiceWorkerRegistration> {
  if (!hasPush())
    throw new PushUnavailableError('this browser has no Web Push (service worker or PushManager missing)');
  return withDeadline(navigator.serviceWorker.ready, WORKER_DEADLINE_MS, 'the app’s service worker is not active');
}

function keysOf(subscription: PushSubscription): PushSubscriptionKeys {
  const p256dh = subscription.getKey('p256dh');
  const auth = subscription.getKey('auth');
  if (p256dh === null || auth === null)
    throw new PushUnavailableError('the browser gave a push subscription without its encryption keys');
  return { endpoint: subscription.endpoint, p256dh: new Uint8Array(p256dh), auth: new Uint8Array(auth) };
}

export const pwaPush: PushPlatform = {
  async current() {
    if (!hasPush()) return undefined;
    const found = await (await registration()).pushManager.getSubscription();
    return found === null ? undefined : keysOf(found);
  },

  async subscribe(applicationServerKey) {
    const reg = await registration();
    if ((await Notification.requestPermission()) !== 'granted')
      throw new PermissionDeniedError('notifications are not allowed for this app');
    try {
      // userVisibleOnly: every push shows a notification (push-handlers.ts), as Chrome requires.
      const subscribing = reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: new Uint8Array(applicationServerKey),
      });
      return keysOf(
        await withDeadline(subscribing, SUBSCRIBE_DEADLINE_MS, 'the browser’s push service did not answer'),
      );
    } catch (error) {
      if (error instanceof PushUnavailableError) throw error;
      if (error instanceof DOMException && error.name === 'NotAllowedError')
        throw new PermissionDeniedError('notifications are not allowed for this app', { cause: error });
      throw new PushUnavailableError(
        `the browser could not subscribe: ${error instanceof Error ? error.message : 'unknown failure'}`,
        { cause: error },
      );
    }
  },

  async unsubscribe() {
    if (!hasPush()) return;
    const found = await (await registration()).pushManager.getSubscription();
    await found?.unsubscribe();
  },
};
