/**
 * Registers the workbox service worker (offline shell, precached app) through workbox-window, and
 * reports a waiting new version so the app can offer "Reload now" instead of switching under the
 * person's hands (vite-plugin-pwa's 'prompt' mode: the new worker waits for SKIP_WAITING).
 */
import { Workbox } from 'workbox-window';

export type UpdateListener = (apply: () => void) => void;

export function registerServiceWorker(): (listener: UpdateListener) => void {
  const listeners = new Set<UpdateListener>();
  let ready: (() => void) | undefined;
  if ('serviceWorker' in navigator) {
    const workbox = new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL });
    workbox.addEventListener('waiting', () => {
      ready = () => {
        workbox.addEventListener('controlling', () => {
          location.reload();
        });
        workbox.messageSkipWaiting();
      };
      for (const listener of listeners) listener(ready);
    });
    void workbox.register();
  }
  return (listener) => {
    listeners.add(listener);
    if (ready !== undefined) listener(ready);
  };
}
