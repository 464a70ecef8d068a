/**
 * One runtime per browser profile: two tabs running the protocol on one IndexedDB would fork
 * ratchet states. The worker of the tab that holds this Web Lock runs the runtime; another tab's
 * worker answers "runtime-busy" until the lock is free (its tab closed), and retries when asked.
 */
import { RuntimeBusyError } from '../ui/errors/app-errors.js';

export const RUNTIME_LOCK_NAME = 'sealdesk-agent-runtime';

export interface LockManagerLike {
  request(
    name: string,
    options: { readonly ifAvailable: true },
    callback: (lock: unknown) => Promise<void>,
  ): Promise<void>;
}

/**
 * Takes the lock if it is free and holds it for the life of this worker (a terminated worker
 * releases it). Rejects with RuntimeBusyError when another tab holds it.
 */
export function holdRuntimeLock(locks: LockManagerLike): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    locks
      .request(RUNTIME_LOCK_NAME, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          reject(new RuntimeBusyError('Sealdesk already runs in another tab or window of this browser.'));
          return Promise.resolve();
        }
        resolve();
        return new Promise<void>(() => undefined); // held until the worker ends
      })
      .catch(reject);
  });
}
