/**
 * A fetch for one runtime that holds the requests a test picks until the test lets each go, so two
 * of the runtime's paths that meet the relay can be made to overlap in a chosen order (the relay is
 * the real one; nothing of its answer is changed). A held request is sent when it is let go.
 */
import type { FetchLike } from '../../../shared/transport/index.js';
import {
  type AgentHandle,
  type VisitorHandle,
  agentRuntime,
  link,
  newAccount,
  visitorWrites,
  waitForCurrentArchiveKey,
} from './runtime-world.js';

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

export interface HeldSiblingWorld {
  readonly owner: AgentHandle;
  /** The owner's second device (no account key), whose requests go through `held`. */
  readonly second: AgentHandle;
  readonly held: HeldRequests;
  readonly visitor: VisitorHandle;
  readonly conversationId: string;
}

/**
 * A new account's owner device and a second device whose requests `held` can hold (nothing yet),
 * in a conversation a visitor opened; both hold the current archive key, so what follows starts quiet.
 */
export async function ownerWithHeldSibling(origin: string): Promise<HeldSiblingWorld> {
  const owner = agentRuntime();
  const pin = (await newAccount(origin, owner)).fingerprint;
  const accountId = (await owner.runtime.status()).accountId ?? '';
  const held = new HeldRequests();
  const second = await link(origin, owner, undefined, 'pwa', agentRuntime(undefined, undefined, held.fetch));
  const { visitor, conversationId } = await visitorWrites(origin, { accountId, pin }, 'hello team', [owner, second]);
  await waitForCurrentArchiveKey([owner, second]);
  return { owner, second, held, visitor, conversationId };
}
