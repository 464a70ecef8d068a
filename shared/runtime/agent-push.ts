/**
 * Web Push for this agent device (issue #15 item 4; PROTOCOL §16.9): the relay's VAPID key to
 * subscribe with, and this device's subscription at the relay. The subscribing itself
 * (`pushManager.subscribe`) is the app's part, in the page that owns the service worker; the runtime
 * registers what the browser gave, with this device's own session (the relay takes no other).
 */
import type { PushSubscriptionKeys, RelayAuth } from '../transport/index.js';
import { type Enrolled, deviceCredentials } from './agent-device-session.js';

/**
 * A session of this device itself (§16.5): the relay takes no other for its subscription, and the
 * runtime's cached session may be the password login of account creation or recovery.
 */
async function ownDevice(e: Enrolled): Promise<RelayAuth> {
  return { bearer: (await e.p.http.auth.deviceSession(deviceCredentials(e))).sessionToken };
}

/** The relay's VAPID public key (65 bytes), or undefined when the relay sends no push. */
export async function pushPublicKey(e: Enrolled): Promise<Uint8Array | undefined> {
  return e.p.http.push.vapidPublicKey();
}

/** Registers (or replaces) this device's subscription; the relay checks the endpoint (§16.9). */
export async function registerPushSubscription(e: Enrolled, subscription: PushSubscriptionKeys): Promise<void> {
  await e.p.http.push.putSubscription(e.account.accountId, e.keys.deviceId, subscription, await ownDevice(e));
}

/** The endpoint the relay holds for this device, or undefined. */
export async function pushSubscriptionEndpoint(e: Enrolled): Promise<string | undefined> {
  return e.p.http.push.subscriptionEndpoint(e.account.accountId, e.keys.deviceId, await ownDevice(e));
}

/** Deletes this device's subscription at the relay; false when it held none. */
export async function removePushSubscription(e: Enrolled): Promise<boolean> {
  return e.p.http.push.deleteSubscription(e.account.accountId, e.keys.deviceId, await ownDevice(e));
}
