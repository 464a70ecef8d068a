/**
 * This device's preferences that more than a page reads (issue #15 items 1 and 4): after how many
 * idle minutes the agent goes away automatically, and whether new messages play a sound. Kept in
 * a tiny IndexedDB database of their own (`sealdesk-prefs`), because the extension's background
 * (for its notifications) and the PWA's service worker (for its push notifications) share the
 * pages' origin but reach neither the runtime nor localStorage. Not a secret; no `storage`
 * permission needed. What is stored is read defensively: anything else reads as the defaults.
 * A change is announced on a BroadcastChannel, so the other open pages follow it at once.
 */

export interface DevicePrefs {
  /** Minutes without use before the agent goes away automatically; 0 = never. */
  readonly awayAfterMinutes: number;
  /** "Play a sound for new messages" (off by default). */
  readonly sound: boolean;
}

export const DEFAULT_DEVICE_PREFS: DevicePrefs = { awayAfterMinutes: 10, sound: false };

/** The choices the settings page offers (0 = never). */
export const AWAY_AFTER_CHOICES: readonly number[] = [0, 5, 10, 15, 30, 60];

export const PREFS_DATABASE = 'sealdesk-prefs';
const STORE = 'prefs';
const KEY = 'device';
const VERSION = 1;
const CHANNEL = 'sealdesk-prefs';

/** The stored value read back: a known version with valid fields, else the defaults. */
export function asDevicePrefs(value: unknown): DevicePrefs {
  if (typeof value !== 'object' || value === null) return DEFAULT_DEVICE_PREFS;
  const { version, awayAfterMinutes, sound } = value as Record<string, unknown>;
  if (version !== VERSION || typeof sound !== 'boolean') return DEFAULT_DEVICE_PREFS;
  if (typeof awayAfterMinutes !== 'number' || !AWAY_AFTER_CHOICES.includes(awayAfterMinutes))
    return DEFAULT_DEVICE_PREFS;
  return { awayAfterMinutes, sound };
}

function open(idb: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = idb.open(PREFS_DATABASE, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('the preferences database did not open'));
    };
  });
}

async function run<T>(
  idb: IDBFactory,
  mode: IDBTransactionMode,
  step: (store: IDBObjectStore) => IDBRequest,
): Promise<T | undefined> {
  const db = await open(idb);
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = step(tx.objectStore(STORE));
      tx.oncomplete = () => {
        const result: unknown = request.result;
        resolve(result as T | undefined);
      };
      tx.onerror = () => {
        reject(tx.error ?? new Error('the preferences could not be saved'));
      };
    });
  } finally {
    db.close();
  }
}

/** This device's preferences; the defaults when none are stored or the database cannot be read. */
export async function readDevicePrefs(idb: IDBFactory): Promise<DevicePrefs> {
  try {
    return asDevicePrefs(await run<unknown>(idb, 'readonly', (store) => store.get(KEY)));
  } catch {
    return DEFAULT_DEVICE_PREFS; // a preference is a courtesy: never a reason to fail a notification
  }
}

/** Saves the preferences and tells the other pages of this app; RangeError for a value not offered. */
export async function writeDevicePrefs(idb: IDBFactory, prefs: DevicePrefs): Promise<void> {
  const stored = { version: VERSION, awayAfterMinutes: prefs.awayAfterMinutes, sound: prefs.sound };
  if (asDevicePrefs(stored) === DEFAULT_DEVICE_PREFS && !isDefault(prefs))
    throw new RangeError('not a preference this app offers');
  await run<unknown>(idb, 'readwrite', (store) => store.put(stored, KEY));
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(stored);
  channel.close();
}

function isDefault(prefs: DevicePrefs): boolean {
  return prefs.awayAfterMinutes === DEFAULT_DEVICE_PREFS.awayAfterMinutes && prefs.sound === DEFAULT_DEVICE_PREFS.sound;
}

/** Runs `listener` with the new preferences when another page of this app saved them. */
export function onDevicePrefsChange(listener: (prefs: DevicePrefs) => void): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    listener(asDevicePrefs(event.data));
  };
  return () => {
    channel.close();
  };
}
