/**
 * PROTOCOL §4.8 "Erasing": what "Erase this device's data" does on a removed device. The runtime
 * deletes everything it stored; then the browser's Web Push subscription of the app (§16.9, the
 * PWA only) is ended too, so nothing of this device is left with the browser's push service. The
 * relay already dropped the removed device's registration, so the subscription receives nothing:
 * ending it is tidying, and a push service that fails or does not answer within `waitMs` does not
 * hold up the erasure the person asked for.
 */
import type { AgentRuntime } from '../../../shared/runtime/index.js';
import type { PushPlatform } from '../../app/platform.js';

export const PUSH_UNSUBSCRIBE_WAIT_MS = 3_000;

export async function eraseRemovedDevice(
  runtime: Pick<AgentRuntime, 'eraseDevice'>,
  push: Pick<PushPlatform, 'unsubscribe'> | undefined,
  waitMs = PUSH_UNSUBSCRIBE_WAIT_MS,
): Promise<void> {
  await runtime.eraseDevice();
  if (push === undefined) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((done) => {
    timer = setTimeout(done, waitMs);
  });
  try {
    await Promise.race([push.unsubscribe(), waited]);
  } catch {
    // The subscription stays with the browser; the relay sends nothing to it (see above).
  } finally {
    clearTimeout(timer);
  }
}
