/**
 * This device's preferences as the page shows and changes them (ui/app/device-prefs.ts): "away
 * after" idle minutes and "Play a sound for new messages". Saved in the prefs database, which the
 * extension's background and the PWA's service worker read too; other pages follow a change at once.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import {
  DEFAULT_DEVICE_PREFS,
  type DevicePrefs,
  onDevicePrefsChange,
  readDevicePrefs,
  writeDevicePrefs,
} from '../app/device-prefs.js';
import { describeError, type PersonMessage } from '../errors/describe-error.js';

export const usePrefsStore = defineStore('prefs', () => {
  const prefs = ref<DevicePrefs>(DEFAULT_DEVICE_PREFS);
  const error = ref<PersonMessage | undefined>();

  async function load(): Promise<void> {
    prefs.value = await readDevicePrefs(indexedDB);
  }

  async function save(change: Partial<DevicePrefs>): Promise<void> {
    const next = { ...prefs.value, ...change };
    try {
      await writeDevicePrefs(indexedDB, next);
      prefs.value = next;
      error.value = undefined;
    } catch (caught) {
      error.value = describeError(caught);
    }
  }

  const stop = onDevicePrefsChange((changed) => {
    prefs.value = changed;
  });

  return { prefs, error, load, save, stop };
});
