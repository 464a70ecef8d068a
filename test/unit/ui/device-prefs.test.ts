/**
 * Issue #15 items 1 and 4: this device's preferences (ui/app/device-prefs.ts) round trip through
 * IndexedDB (fake-indexeddb here, the browsers' own in the apps), read defensively, and reach the
 * notifications: the PWA service worker's push handler reads "Play a sound for new messages" from
 * the same database at each push (`silent: !sound`), and the extension background's notification
 * carries it (`silent`, left out where Firefox has no such option).
 */
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { visitorMessageNotification } from '../../../entrypoints/background/message-notifications.js';
import {
  DEFAULT_DEVICE_PREFS,
  PREFS_DATABASE,
  onDevicePrefsChange,
  readDevicePrefs,
  writeDevicePrefs,
} from '../../../ui/app/device-prefs.js';
import { NOTIFICATION_BODY, type PushWorkerScope, installPushHandlers } from '../../../pwa/push-handlers.js';

const CONVERSATION = '0123456789abcdef0123456789abcdef';

/** Stores `value` as the preferences record, as another build (or a damaged database) could. */
async function storeRaw(idb: IDBFactory, value: unknown): Promise<void> {
  await readDevicePrefs(idb); // creates the database
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = idb.open(PREFS_DATABASE, 1);
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(new Error('open failed'));
    };
  });
  await new Promise<void>((resolve) => {
    const tx = db.transaction('prefs', 'readwrite');
    tx.objectStore('prefs').put(value, 'device');
    tx.oncomplete = () => {
      resolve();
    };
  });
  db.close();
}

interface AnyEvent {
  waitUntil(p: Promise<unknown>): void;
  readonly notification: { close(): void };
}

/** The push handler on a scope that records what it shows. */
function pushWorker(idb: IDBFactory) {
  const shown: NotificationOptions[] = [];
  let push: ((event: AnyEvent) => void) | undefined;
  const scope: PushWorkerScope = {
    registration: {
      scope: 'https://relay.example/app/',
      showNotification: (_title, options) => {
        shown.push(options);
        return Promise.resolve();
      },
    },
    clients: { matchAll: () => Promise.resolve([]), openWindow: () => Promise.resolve(undefined) },
    addEventListener: (type: string, listener: (event: AnyEvent) => void) => {
      if (type === 'push') push = listener;
    },
  };
  installPushHandlers(scope, async () => (await readDevicePrefs(idb)).sound);
  return {
    shown,
    async deliver(): Promise<void> {
      let work: Promise<unknown> = Promise.resolve();
      push?.({
        waitUntil: (p) => {
          work = p;
        },
        notification: { close: () => undefined },
      });
      await work;
    },
  };
}

describe('#15: device preferences', () => {
  it('reads the defaults (away after 10 minutes, no sound) when nothing is stored', async () => {
    expect(await readDevicePrefs(new IDBFactory())).toEqual({ awayAfterMinutes: 10, sound: false });
  });

  it('round-trips a change and tells the other pages', async () => {
    const idb = new IDBFactory();
    const heard = new Promise((resolve) => {
      const stop = onDevicePrefsChange((prefs) => {
        stop();
        resolve(prefs);
      });
    });
    await writeDevicePrefs(idb, { awayAfterMinutes: 30, sound: true });
    expect(await readDevicePrefs(idb)).toEqual({ awayAfterMinutes: 30, sound: true });
    expect(await heard).toEqual({ awayAfterMinutes: 30, sound: true });
    await writeDevicePrefs(idb, { awayAfterMinutes: 0, sound: false });
    expect(await readDevicePrefs(idb)).toEqual({ awayAfterMinutes: 0, sound: false });
  });

  it('refuses a value it does not offer, and reads anything else stored as the defaults', async () => {
    const idb = new IDBFactory();
    await expect(writeDevicePrefs(idb, { awayAfterMinutes: 7, sound: true })).rejects.toBeInstanceOf(RangeError);
    for (const stored of [
      'sound',
      { version: 2, awayAfterMinutes: 5, sound: true },
      { version: 1, awayAfterMinutes: 5, sound: 'yes' },
      { version: 1, awayAfterMinutes: -1, sound: true },
    ]) {
      await storeRaw(idb, stored);
      expect(await readDevicePrefs(idb)).toBe(DEFAULT_DEVICE_PREFS);
    }
  });

  it('the PWA service worker’s notification is silent unless the sound is on', async () => {
    const idb = new IDBFactory();
    const worker = pushWorker(idb);
    await worker.deliver();
    await writeDevicePrefs(idb, { awayAfterMinutes: 10, sound: true });
    await worker.deliver();
    expect(worker.shown.map((o) => [o.body, o.silent])).toEqual([
      [NOTIFICATION_BODY, true],
      [NOTIFICATION_BODY, false],
    ]);
  });

  it('the extension’s notification carries the sound setting where the browser has `silent`', () => {
    const options = (sound: boolean, canSilence: boolean) =>
      visitorMessageNotification(CONVERSATION, { iconUrl: 'icon.png', sound, canSilence });
    expect(options(false, true)).toMatchObject({ type: 'basic', silent: true });
    expect(options(true, true)).toMatchObject({ silent: false });
    expect(options(true, false)).not.toHaveProperty('silent');
    expect(options(true, true).message).not.toContain(CONVERSATION);
  });
});
