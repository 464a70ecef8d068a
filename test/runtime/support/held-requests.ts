/**
 * A fetch for one runtime that holds the requests a test picks until the test lets each go, so two
 * of the runtime's paths that meet the relay can be made to overlap in a chosen order (the relay is
 * the real one; nothing of its answer is changed). A held request is sent when it is let go.
 */
import type { FetchLike } from '../../../shared/transport/index.js';

interface Held {
  readonly path: string;
  readonly go: () => void;
}

export class HeldRequests {
  readonly #held: Held[] = [];
  /** Which requests to hold (by path and query); none by default. */
  hold: (path: string) => boolean = () => false;

  readonly fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    const path = `${u.pathname}${u.search}`;
    if (this.hold(path)) await new Promise<void>((go) => this.#held.push({ path, go }));
    return fetch(url, init);
  };

  /** How many requests wait now. */
  get waiting(): number {
    return this.#held.length;
  }

  /** Sends the request held longest. */
  releaseOldest(): void {
    const first = this.#held.shift();
    if (first === undefined) throw new Error('no request is held');
    first.go();
  }

  /** Sends the request held last. */
  releaseNewest(): void {
    this.setAsideNewest()();
  }

  /** Takes the request held last out of the queue, still held: it is sent when the returned function is called. */
  setAsideNewest(): () => void {
    const last = this.#held.pop();
    if (last === undefined) throw new Error('no request is held');
    return last.go;
  }

  /** Holds nothing more and sends every held request. */
  releaseAll(): void {
    this.hold = () => false;
    for (const held of this.#held.splice(0)) held.go();
  }
}
