/**
 * What a runtime needs from its platform (issue #11 item 3: crypto, storage, transport, clock,
 * rng are injected): fetch and WebSocket for shared/transport, timers with the clock, randomness.
 * WebCrypto is the platform's own (shared/crypto). Browsers pass their globals; Node tests pass
 * global fetch and `ws`.
 */
import { type RandomSource, secureRandom } from '../crypto/index.js';
import type { ProtocolEnv } from '../protocol/index.js';
import {
  type ConnectionTuning,
  type FetchLike,
  type RelayHttp,
  type RelayHttpOptions,
  type Timers,
  type VisitorHttp,
  type WebSocketConstructor,
  createRelayHttp,
  createVisitorHttp,
  systemTimers,
} from '../transport/index.js';

export interface RuntimePlatform {
  readonly fetch: FetchLike;
  readonly WebSocket: WebSocketConstructor;
  /** Default: the platform's timers and Date.now. */
  readonly timers?: Timers;
  /** Default: WebCrypto getRandomValues. */
  readonly rng?: RandomSource;
  /** Connection tuning (tests shorten the backoff). */
  readonly tuning?: Partial<ConnectionTuning>;
}

/** A runtime's platform with the HTTP client it uses: the whole API (agent) or the visitor's part. */
export interface PlatformOf<Http> {
  readonly timers: Timers;
  readonly env: ProtocolEnv;
  readonly http: Http;
  readonly wsUrl: string;
  readonly WebSocket: WebSocketConstructor;
  readonly tuning: Partial<ConnectionTuning>;
}

export type Platform = PlatformOf<RelayHttp>;
export type VisitorPlatform = PlatformOf<VisitorHttp>;

/** The relay's WebSocket address for its base address (`https://relay` → `wss://relay/v1/ws`). */
export function wsUrlOf(relayUrl: string): string {
  return `${relayUrl.replace(/\/$/, '').replace(/^http/, 'ws')}/v1/ws`;
}

function platformWith<Http>(
  relayUrl: string,
  ports: RuntimePlatform,
  createHttp: (options: RelayHttpOptions) => Http,
): PlatformOf<Http> {
  const timers = ports.timers ?? systemTimers;
  const rng = ports.rng ?? secureRandom;
  // fetch must be called unbound from the window in browsers ("Illegal invocation" otherwise).
  const fetchFn = ports.fetch;
  return {
    timers,
    env: { rng, now: () => timers.now() },
    http: createHttp({ origin: relayUrl.replace(/\/$/, ''), fetch: (url, init) => fetchFn(url, init), timers }),
    wsUrl: wsUrlOf(relayUrl),
    WebSocket: ports.WebSocket,
    tuning: ports.tuning ?? {},
  };
}

/** The agent runtime's platform: the relay's whole HTTP API. */
export function platformFor(relayUrl: string, ports: RuntimePlatform): Platform {
  return platformWith(relayUrl, ports, createRelayHttp);
}

/** The visitor runtime's platform: only the routes a visitor calls (no agent code in the widget). */
export function visitorPlatformFor(relayUrl: string, ports: RuntimePlatform): VisitorPlatform {
  return platformWith(relayUrl, ports, createVisitorHttp);
}
