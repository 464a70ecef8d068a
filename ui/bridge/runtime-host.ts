/**
 * The host side of the bridge: runs in the extension's background service worker (or the PWA's
 * runtime worker), starts the agent runtime once, and serves every connected page. Each page gets
 * every runtime event; calls are answered on the channel they came from.
 *
 * Nothing here keeps state that matters across a restart: the runtime saves its own state before
 * any effect (docs/ARCHITECTURE.md, "Protocol as pure transitions"), so a host killed between two
 * messages is simply started again by the next one.
 */
import type { AgentRuntime, ProgressListener } from '../../shared/runtime/index.js';
import type { BridgeChannel } from './bridge-channel.js';
import { decodeValue, encodeValue } from './bridge-codec.js';
import {
  errorToPayload,
  isProgressMarker,
  parseCallMessage,
  type CallMessage,
  type HostMessage,
} from './bridge-messages.js';
import { AGENT_EVENT_TYPES, type RuntimeMethod } from './runtime-methods.js';

export interface RuntimeHost {
  /** Serve one page's channel until it closes. */
  accept(channel: BridgeChannel): void;
  /** Pages currently connected. */
  readonly connections: number;
  /** Stop serving, close every channel and dispose the runtime (PWA: another tab took over). */
  stop(): Promise<void>;
}

export function createRuntimeHost(start: () => Promise<AgentRuntime>): RuntimeHost {
  // Per channel, the tail of its outgoing queue: encoding is async (Blobs), order must hold.
  const channels = new Map<BridgeChannel, Promise<void>>();
  let started: Promise<AgentRuntime> | undefined;

  function post(channel: BridgeChannel, message: HostMessage): void {
    const tail = channels.get(channel);
    if (tail === undefined) return;
    const next = tail.then(async () => {
      try {
        channel.post(await encodeValue(message, channel.mode));
      } catch (error) {
        if (message.t === 'result') channel.post({ t: 'error', id: message.id, ...errorToPayload(error) });
      }
    });
    channels.set(channel, next);
  }

  function broadcast(message: HostMessage): void {
    for (const channel of channels.keys()) post(channel, message);
  }

  function runtime(): Promise<AgentRuntime> {
    if (started !== undefined) return started;
    const attempt = start().then((rt) => {
      for (const type of AGENT_EVENT_TYPES) {
        rt.on(type, (payload) => {
          broadcast({ t: 'event', type, payload });
        });
      }
      return rt;
    });
    started = attempt;
    // A failed start is reported to the pages waiting for it; the next page that connects retries.
    attempt.catch(() => {
      if (started === attempt) started = undefined;
    });
    return attempt;
  }

  async function answer(channel: BridgeChannel, call: CallMessage): Promise<void> {
    try {
      const rt = await runtime();
      const args = call.args.map((arg): unknown => {
        if (!isProgressMarker(arg)) return decodeValue(arg, channel.mode);
        const onProgress: ProgressListener = (done, total) => {
          post(channel, { t: 'progress', id: call.id, done, total });
        };
        return onProgress;
      });
      // The method name is checked against RUNTIME_METHODS; the runtime validates its own arguments
      // and rejects bad ones with typed errors (it is the API boundary, docs/ARCHITECTURE.md).
      const target = rt as unknown as Record<RuntimeMethod, (...values: unknown[]) => Promise<unknown>>;
      const value = await target[call.method](...args);
      // PROTOCOL §4.8: a runtime that erased its device is finished; the next call starts a new one
      // (on an empty database: the app's first screen).
      if (call.method === 'eraseDevice' && started !== undefined) started = undefined;
      post(channel, { t: 'result', id: call.id, value });
    } catch (error) {
      post(channel, { t: 'error', id: call.id, ...errorToPayload(error) });
    }
  }

  return {
    accept(channel) {
      channels.set(channel, Promise.resolve());
      channel.onClose(() => {
        channels.delete(channel);
      });
      channel.onMessage((message) => {
        let call: CallMessage;
        try {
          call = parseCallMessage(message);
        } catch (error) {
          // Answer a malformed call under its id when it has one; otherwise there is no one to answer.
          const id = (message as { id?: unknown } | null)?.id;
          if (typeof id === 'number') post(channel, { t: 'error', id, ...errorToPayload(error) });
          return;
        }
        void answer(channel, call);
      });
      runtime().then(
        () => {
          post(channel, { t: 'ready' });
        },
        (error: unknown) => {
          post(channel, { t: 'failed', ...errorToPayload(error) });
        },
      );
    },
    get connections() {
      return channels.size;
    },
    async stop() {
      for (const channel of channels.keys()) channel.close();
      channels.clear();
      const current = started;
      started = undefined;
      if (current !== undefined) (await current.catch(() => undefined))?.dispose();
    },
  };
}
