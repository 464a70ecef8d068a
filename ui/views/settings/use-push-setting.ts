/**
 * "Notify me on this phone when the app is closed" (PROTOCOL §16.9): on = the browser's push
 * subscription, made with the relay's VAPID key, registered at the relay for this device; off =
 * deleted at the relay and unsubscribed in the browser. Failures are kept in words for the screen.
 */
import { ref } from 'vue';
import type { AgentRuntime } from '../../../shared/runtime/index.js';
import type { PushPlatform } from '../../app/platform.js';
import { describeError, type PersonMessage } from '../../errors/describe-error.js';

const NO_RELAY_PUSH: PersonMessage = {
  title: 'Your relay does not send push notifications',
  text: 'Ask whoever runs it to set up Web Push (its VAPID keys). You still get notifications while the app is open.',
};

export function usePushSetting(runtime: Pick<AgentRuntime, PushMethods>, push: PushPlatform) {
  const enabled = ref(false);
  const busy = ref(false);
  const error = ref<PersonMessage | undefined>();

  async function guarded(step: () => Promise<void>): Promise<void> {
    busy.value = true;
    error.value = undefined;
    try {
      await step();
    } catch (caught) {
      error.value = describeError(caught);
    } finally {
      busy.value = false;
    }
  }

  /** On only when this browser's subscription is the one the relay holds for this device. */
  async function load(): Promise<void> {
    await guarded(async () => {
      const [mine, atRelay] = await Promise.all([push.current(), runtime.pushSubscriptionEndpoint()]);
      enabled.value = mine !== undefined && mine.endpoint === atRelay;
    });
  }

  async function turnOn(): Promise<void> {
    await guarded(async () => {
      const key = await runtime.pushPublicKey();
      if (key === undefined) {
        error.value = NO_RELAY_PUSH;
        return;
      }
      const subscription = await push.subscribe(key);
      try {
        await runtime.registerPushSubscription(subscription);
      } catch (refused) {
        await push.unsubscribe();
        throw refused;
      }
      enabled.value = true;
    });
  }

  async function turnOff(): Promise<void> {
    await guarded(async () => {
      await runtime.removePushSubscription();
      await push.unsubscribe();
      enabled.value = false;
    });
  }

  return { enabled, busy, error, load, turnOn, turnOff };
}

type PushMethods = 'pushPublicKey' | 'registerPushSubscription' | 'pushSubscriptionEndpoint' | 'removePushSubscription';
