/** Typed events for a user interface: `on(type, listener)` returns the function that unsubscribes. */
import type { Subscribe } from './api-common.js';

export class Emitter<Events> {
  readonly #listeners = new Map<keyof Events, Set<(event: never) => void>>();

  readonly on: Subscribe<Events> = (type, listener) => {
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    const stored = listener as (event: never) => void;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  };

  /** Calls every listener of `type`; a listener that throws does not stop the others or the runtime. */
  emit<K extends keyof Events>(type: K, event: Events[K]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
