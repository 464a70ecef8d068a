/**
 * One queue per conversation (issue #11 item 3): the steps of one conversation (a delivery, a
 * message typed, a receipt) run one at a time, each on the state the previous one saved.
 */
export class SerialQueues {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, step: () => Promise<T>): Promise<T> {
    const tail = this.#tails.get(key) ?? Promise.resolve();
    const next = tail.then(step, step);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, settled);
    void settled.then(() => {
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
    });
    return next;
  }
}
