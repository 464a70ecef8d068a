/**
 * PROTOCOL §4.8 "Erasing", §16.9: "Erase this device's data" on a removed device deletes what the
 * runtime stored, then ends the browser's push subscription of the app (the PWA). A push service
 * that fails or does not answer does not hold up the erasure; an erasure that fails leaves the
 * subscription alone (the person sees the error and can try again).
 */
import { describe, expect, it } from 'vitest';
import { eraseRemovedDevice } from '../../../ui/views/removed/erase-removed-device.js';

function recorder(): { steps: string[]; runtime: { eraseDevice(): Promise<void> } } {
  const steps: string[] = [];
  return {
    steps,
    runtime: {
      eraseDevice: () => {
        steps.push('erase');
        return Promise.resolve();
      },
    },
  };
}

describe('§4.8: erasing a removed device also ends its push subscription', () => {
  it('erases, then unsubscribes', async () => {
    const { steps, runtime } = recorder();
    await eraseRemovedDevice(runtime, {
      unsubscribe: () => {
        steps.push('unsubscribe');
        return Promise.resolve();
      },
    });
    expect(steps).toEqual(['erase', 'unsubscribe']);
  });

  it('a push service that fails, or never answers, does not hold up the erasure', async () => {
    const { steps, runtime } = recorder();
    await eraseRemovedDevice(runtime, { unsubscribe: () => Promise.reject(new Error('push service down')) });
    await eraseRemovedDevice(runtime, { unsubscribe: () => new Promise<never>(() => undefined) }, 20);
    expect(steps).toEqual(['erase', 'erase']);
  });

  it('without push (the extension) it only erases; a failed erasure leaves the subscription alone', async () => {
    const { steps, runtime } = recorder();
    await eraseRemovedDevice(runtime, undefined);
    expect(steps).toEqual(['erase']);
    let unsubscribed = false;
    const failing = { eraseDevice: () => Promise.reject(new Error('the database is locked')) };
    await expect(
      eraseRemovedDevice(failing, {
        unsubscribe: () => {
          unsubscribed = true;
          return Promise.resolve();
        },
      }),
    ).rejects.toThrow('the database is locked');
    expect(unsubscribed).toBe(false);
  });
});
