/**
 * The page side of the bridge: an object with the AgentRuntime interface whose every call runs in
 * the host (the extension's background service worker or the PWA's runtime worker). The UI cannot
 * tell it from a runtime in the page, which is the point: ui/ codes against AgentRuntime only.
 *
 * When the host goes away (MV3 stops idle service workers; tests kill it), calls in flight reject
 * with BridgeDisconnectedError and the next call, or the automatic reconnect while anyone listens
 * to events, starts it again. `onAttach` tells the UI to re-read its data after each (re)connect.
 */
import type { AgentEvents, AgentRuntime, ProgressListener } from '../../shared/runtime/index.js';
import { BridgeDisconnectedError } from '../errors/app-errors.js';
import type { BridgeChannel } from './bridge-channel.js';
import { decodeValue, encodeValue } from './bridge-codec.js';
import { parseHostMessage, PROGRESS_MARKER, type HostMessage } from './bridge-messages.js';
import { errorFromPayload } from './remote-error.js';
import type { RuntimeMethod } from './runtime-methods.js';

export interface RuntimeClient extends AgentRuntime {
  /** Called after every connection to the host became ready (the first one and each reconnect). */
  onAttach(listener: () => void): () => void;
}

export interface RuntimeClientOptions {
  /** Delay before reconnecting after the host went away, doubled up to `maxReconnectMs`. */
  readonly reconnectMs?: number;
  readonly maxReconnectMs?: number;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly onProgress?: ProgressListener;
}

type EventListener = (payload: never) => void;

export function createRuntimeClient(connect: () => BridgeChannel, options: RuntimeClientOptions = {}): RuntimeClient {
  const baseDelay = options.reconnectMs ?? 200;
  const maxDelay = options.maxReconnectMs ?? 5_000;
  const pending = new Map<number, Pending>();
  const listeners = new Map<keyof AgentEvents, Set<EventListener>>();
  const attachListeners = new Set<() => void>();
  let channel: BridgeChannel | undefined;
  let nextId = 1;
  let delay = baseDelay;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  function listening(): boolean {
    for (const set of listeners.values()) if (set.size > 0) return true;
    return false;
  }

  function handle(current: BridgeChannel, message: HostMessage): void {
    switch (message.t) {
      case 'ready':
        delay = baseDelay;
        for (const listener of [...attachListeners]) listener();
        return;
      case 'failed':
        return; // every call on this channel is answered with the same error
      case 'event': {
        const payload = decodeValue(message.payload, current.mode);
        for (const listener of [...(listeners.get(message.type) ?? [])])
          (listener as (value: unknown) => void)(payload);
        return;
      }
      case 'progress':
        pending.get(message.id)?.onProgress?.(message.done, message.total);
        return;
      case 'result': {
        const call = pending.get(message.id);
        pending.delete(message.id);
        call?.resolve(decodeValue(message.value, current.mode));
        return;
      }
      case 'error': {
        const call = pending.get(message.id);
        pending.delete(message.id);
        call?.reject(errorFromPayload(message));
        return;
      }
    }
  }

  function dropChannel(current: BridgeChannel): void {
    if (channel !== current) return;
    channel = undefined;
    const lost = [...pending.values()];
    pending.clear();
    for (const call of lost) {
      call.reject(new BridgeDisconnectedError('Sealdesk restarted its background work during this step. Try again.'));
    }
    if (!disposed && listening() && reconnectTimer === undefined) {
      reconnectTimer = setTimeout(() => {
        reconnectTimer = undefined;
        ensureChannel();
      }, delay);
      delay = Math.min(delay * 2, maxDelay);
    }
  }

  function ensureChannel(): BridgeChannel {
    if (channel !== undefined) return channel;
    const current = connect();
    channel = current;
    current.onMessage((raw) => {
      let message: HostMessage;
      try {
        message = parseHostMessage(raw);
      } catch {
        return; // not a bridge message: nothing to answer, nothing to show
      }
      handle(current, message);
    });
    current.onClose(() => {
      dropChannel(current);
    });
    return current;
  }

  async function call<T>(method: RuntimeMethod, args: readonly unknown[]): Promise<T> {
    if (disposed) throw new BridgeDisconnectedError('This page is closing and no longer talks to Sealdesk.');
    const current = ensureChannel();
    let onProgress: ProgressListener | undefined;
    const wire: unknown[] = [];
    let last = args.length;
    while (last > 0 && args[last - 1] === undefined) last--;
    for (const arg of args.slice(0, last)) {
      if (typeof arg === 'function') {
        onProgress = arg as ProgressListener;
        wire.push(PROGRESS_MARKER);
      } else {
        wire.push(await encodeValue(arg, current.mode));
      }
    }
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        ...(onProgress === undefined ? {} : { onProgress }),
      });
      if (channel !== current) {
        dropPending(id);
        return;
      }
      current.post({ t: 'call', id, method, args: wire });
    });
  }

  function dropPending(id: number): void {
    const call = pending.get(id);
    pending.delete(id);
    call?.reject(new BridgeDisconnectedError('Sealdesk restarted its background work during this step. Try again.'));
  }

  const client: RuntimeClient = {
    status: () => call('status', []),
    eraseDevice: () => call('eraseDevice', []),
    createAccount: (input, onProgress) => call('createAccount', [input, onProgress]),
    startLinkAsExistingDevice: (invite) => call('startLinkAsExistingDevice', [invite]),
    linkAsNewDevice: (input) => call('linkAsNewDevice', [input]),
    confirmLink: (sameCode) => call('confirmLink', [sameCode]),
    cancelLink: () => call('cancelLink', []),
    recoverWithRecoveryKey: (input, onProgress) => call('recoverWithRecoveryKey', [input, onProgress]),
    devices: () => call('devices', []),
    revokeDevice: (deviceId, revokeOptions) => call('revokeDevice', [deviceId, revokeOptions]),
    setRole: (agentId, role) => call('setRole', [agentId, role]),
    removeAgent: (agentId) => call('removeAgent', [agentId]),
    pendingChangeRequests: () => call('pendingChangeRequests', []),
    decideChangeRequest: (id, approve) => call('decideChangeRequest', [id, approve]),
    fingerprint: () => call('fingerprint', []),
    snippet: (mode) => call('snippet', [mode]),
    widgetConfig: () => call('widgetConfig', []),
    publishWidgetConfig: (config) => call('publishWidgetConfig', [config]),
    conversations: () => call('conversations', []),
    history: (conversationId) => call('history', [conversationId]),
    alerts: (conversationId) => call('alerts', [conversationId]),
    dismissAlert: (id, conversationId) => call('dismissAlert', [id, conversationId]),
    sendText: (conversationId, text) => call('sendText', [conversationId, text]),
    setTyping: (conversationId, active) => call('setTyping', [conversationId, active]),
    markRead: (conversationId, messageId) => call('markRead', [conversationId, messageId]),
    sendAttachment: (conversationId, file, name, onProgress) =>
      call('sendAttachment', [conversationId, file, name, onProgress]),
    openAttachment: (handle, onProgress) => call('openAttachment', [handle, onProgress]),
    close: (conversationId, reason) => call('close', [conversationId, reason]),
    safetyCode: (conversationId) => call('safetyCode', [conversationId]),
    searchMessages: (query, limit) => call('searchMessages', [query, limit]),
    assign: (conversationId, agentId) => call('assign', [conversationId, agentId]),
    setStatus: (conversationId, status) => call('setStatus', [conversationId, status]),
    addNote: (conversationId, text) => call('addNote', [conversationId, text]),
    setViewing: (conversationId) => call('setViewing', [conversationId]),
    setComposing: (conversationId, active) => call('setComposing', [conversationId, active]),
    teamActivity: () => call('teamActivity', []),
    blockVisitor: (conversationId) => call('blockVisitor', [conversationId]),
    unblockVisitor: (conversationId) => call('unblockVisitor', [conversationId]),
    blockedConversations: () => call('blockedConversations', []),
    cannedReplies: (cannedOptions) => call('cannedReplies', [cannedOptions]),
    saveCannedReply: (input) => call('saveCannedReply', [input]),
    deleteCannedReply: (id) => call('deleteCannedReply', [id]),
    presence: () => call('presence', []),
    setPresence: (status) => call('setPresence', [status]),
    setIdle: (idle) => call('setIdle', [idle]),
    pushPublicKey: () => call('pushPublicKey', []),
    registerPushSubscription: (subscription) => call('registerPushSubscription', [subscription]),
    pushSubscriptionEndpoint: () => call('pushSubscriptionEndpoint', []),
    removePushSubscription: () => call('removePushSubscription', []),
    on(type, listener) {
      let set = listeners.get(type);
      if (set === undefined) {
        set = new Set();
        listeners.set(type, set);
      }
      const entry = listener as EventListener;
      set.add(entry);
      if (!disposed) ensureChannel();
      return () => {
        set.delete(entry);
      };
    },
    onAttach(listener) {
      attachListeners.add(listener);
      return () => {
        attachListeners.delete(listener);
      };
    },
    dispose() {
      disposed = true;
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      const current = channel;
      channel = undefined;
      current?.close();
      for (const id of [...pending.keys()]) dropPending(id);
    },
  };
  return client;
}
