/**
 * TEST ONLY: a scripted object with the AgentRuntime interface, so browser tests can drive and
 * photograph the agent app's screens before the real runtime (shared/runtime createAgentRuntime)
 * exists. It holds no keys and encrypts nothing; it is bundled only into test builds
 * (test/support/agent-app/build-agent-app.ts swaps it in) and is never presented as the product.
 */
import { toBase32 } from '../../../shared/crypto/index.js';
import { SealdeskError } from '../../../shared/errors/index.js';
import type {
  AccountCreated,
  AgentInvite,
  AgentEvents,
  AgentRuntime,
  AttachmentHandle,
  ChatMessage,
  ChangeRequestView,
  ConversationSummary,
  DeviceView,
  LinkPhase,
  MessageId,
  MessageStatus,
  PlainAlert,
  ProgressListener,
  BlockedVisitor,
  SearchHit,
  AgentPresence,
  CannedReply,
  CannedReplyInput,
  ConversationActivity,
  PresenceStatus,
} from '../../../shared/runtime/index.js';
import { CHANGE_REQUEST_DENIED, EraseNotAllowedError } from '../../../shared/runtime/index.js';
import { ACCOUNT_ID, CONVERSATIONS, demoDevices, demoHistory, demoSummary, SELF_DEVICE } from './scripted-demo-data.js';

/** A scripted failure with the code the real runtime is expected to use for it. */
export class ScriptedRuntimeError extends SealdeskError {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export const SCRIPTED_RECOVERY_KEY = 'K7QF 2MZP 9TXA 4RWD HB3N 6YCE J8VL 5SGU Q2KT 7FDM X4PA 9WNE B3HR';
export const SCRIPTED_FINGERPRINT = '4f3a9c2e7b18d60f5a2c9e41b7d3086f1c5e9a72d4b8063e9f17a5c2b4d80e6a';
export const SCRIPTED_LINK_CODE = '482913';
/** The link payload the scripted existing device shows: 82 bytes, and their typed form (base32, groups of four). */
const SCRIPTED_LINK_PAYLOAD = new Uint8Array(82).map((_, i) => (i * 37 + 11) % 256);
export const SCRIPTED_LINK_PAYLOAD_TEXT = (toBase32(SCRIPTED_LINK_PAYLOAD).match(/.{1,4}/g) ?? []).join(' ');
export const TAKEN_USERNAME = 'taken';
export const UNREACHABLE_RELAY = 'https://unreachable.invalid';
/** An invited agent of this name: a new device answers, and an owner denies the request (PROTOCOL §4.5). */
export const DECLINED_AGENT = 'Dora Declined';

type Listener = (payload: never) => void;
const STATE_CACHE = 'sealdesk-scripted-runtime';
const STATE_KEY = '/scripted-runtime-state';

export class ScriptedAgentRuntime implements AgentRuntime {
  private readonly listeners = new Map<keyof AgentEvents, Set<Listener>>();
  private readonly keptAlerts = new Map<string, PlainAlert>();
  private readonly histories = new Map<string, ChatMessage[]>();
  private readonly summaries = new Map<string, ConversationSummary>();
  private readonly blobs = new Map<MessageId, Blob>();
  /** conversationId -> blockedAt (the real list lives at the relay: PROTOCOL §16.10). */
  private readonly blocked = new Map<string, number>();
  private devicesList: DeviceView[] = [];
  private canned: CannedReply[] = [];
  private presenceList: AgentPresence[] = [];
  private activityList: ConversationActivity[] = [];
  /** Every setViewing / setComposing call, for tests that check the views make them. */
  readonly activityCalls: string[] = [];
  private requests: ChangeRequestView[] = [];
  private enrolled = false;
  private relayUrl: string | undefined;
  private seq = 100;
  private linkSide: 'new' | 'existing' | 'existing-declined' | undefined;
  private removal: { readonly listVersion: number; readonly at: number } | undefined;
  /** How many times eraseDevice ran (the UI's erase action reached the runtime). */
  erased = 0;

  constructor(private readonly stepMs = 120) {}

  readonly on: AgentRuntime['on'] = (type, listener) => {
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };

  private emit<K extends keyof AgentEvents>(type: K, payload: AgentEvents[K]): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (value: AgentEvents[K]) => void)(payload);
  }

  private later(steps: number, action: () => void): void {
    setTimeout(action, steps * this.stepMs);
  }

  private async progress(onProgress: ProgressListener | undefined, steps: number): Promise<void> {
    for (let done = 0; done <= steps; done++) {
      onProgress?.(done, steps);
      await new Promise((resolve) => setTimeout(resolve, this.stepMs));
    }
  }

  /** Enrols again from what a previous instance saved (a killed service worker starts a new one). */
  async restore(): Promise<this> {
    if (!('caches' in globalThis)) return this; // Node unit tests: nothing to restore
    const saved = await (await caches.open(STATE_CACHE)).match(STATE_KEY);
    if (saved !== undefined) {
      const state = (await saved.json()) as { ownerName: string; kind: DeviceView['kind']; relayUrl: string };
      this.enrol(state.ownerName, state.kind, state.relayUrl);
    }
    return this;
  }

  private enrol(ownerName: string, kind: DeviceView['kind'], relayUrl: string): void {
    if ('caches' in globalThis) {
      void caches
        .open(STATE_CACHE)
        .then((cache) => cache.put(STATE_KEY, new Response(JSON.stringify({ ownerName, kind, relayUrl }))));
    }
    this.enrolled = true;
    this.relayUrl = relayUrl;
    this.devicesList = demoDevices(kind, ownerName);
    const now = Date.now();
    for (const id of Object.values(CONVERSATIONS)) {
      const history = demoHistory(id, now);
      this.histories.set(id, history);
      this.summaries.set(id, demoSummary(id, history));
    }
    const requester = this.devicesList[2];
    if (requester !== undefined) {
      this.requests = [{ id: 'req-1', requester, summary: 'add a phone app for Ana Ribeiro' }];
    }
    this.later(1, () => {
      this.emit('connection', 'online');
    });
  }

  status(): ReturnType<AgentRuntime['status']> {
    const removed = this.removal;
    return Promise.resolve(
      this.enrolled && this.relayUrl !== undefined
        ? {
            enrolled: true,
            relayUrl: this.relayUrl,
            accountId: ACCOUNT_ID,
            ...(removed === undefined ? {} : { removed }),
          }
        : { enrolled: false },
    );
  }

  /** Scripts an owner removing this device (the real runtime checks the verified list, PROTOCOL §4.8). */
  removeThisDevice(listVersion: number): void {
    this.removal = { listVersion, at: Date.now() };
    this.emit('removed', this.removal);
  }

  eraseDevice(): Promise<void> {
    if (this.removal === undefined) return Promise.reject(new EraseNotAllowedError('this device was not removed'));
    this.erased += 1;
    this.removal = undefined;
    this.enrolled = false;
    this.relayUrl = undefined;
    return Promise.resolve();
  }

  async createAccount(
    input: Parameters<AgentRuntime['createAccount']>[0],
    onProgress?: ProgressListener,
  ): Promise<AccountCreated> {
    if (input.relayUrl === UNREACHABLE_RELAY) {
      throw new ScriptedRuntimeError('relay-unreachable', 'The relay did not answer.');
    }
    if (input.username === TAKEN_USERNAME) throw new ScriptedRuntimeError('username-taken', 'That username is taken.');
    await this.progress(onProgress, 12);
    this.enrol(input.ownerName, input.deviceKind, input.relayUrl);
    return { recoveryKey: SCRIPTED_RECOVERY_KEY, fingerprint: SCRIPTED_FINGERPRINT };
  }

  /**
   * Existing device: shows the payload and waits; no scripted new device ever answers it, except for
   * an invited DECLINED_AGENT, whose codes show and whose release an owner denies.
   */
  startLinkAsExistingDevice(invite?: AgentInvite) {
    this.linkSide = invite?.agentName === DECLINED_AGENT ? 'existing-declined' : 'existing';
    // As the real runtime does: the phase is told before the code is returned.
    this.emit('link', { phase: 'waiting-for-peer' });
    if (this.linkSide === 'existing-declined')
      this.later(3, () => {
        this.emit('link', { phase: 'compare-codes', code: SCRIPTED_LINK_CODE });
      });
    return Promise.resolve({ qr: new Uint8Array(SCRIPTED_LINK_PAYLOAD), code: SCRIPTED_LINK_PAYLOAD_TEXT });
  }

  /** New device: a code that is too short is refused; otherwise the existing device answers. */
  linkAsNewDevice(input: Parameters<AgentRuntime['linkAsNewDevice']>[0]): Promise<void> {
    const { scanned } = input;
    if (typeof scanned === 'string' && scanned.replace(/[\s-]/g, '').length < 20) {
      return Promise.reject(new ScriptedRuntimeError('decode', 'That code is incomplete. Copy all of it.'));
    }
    this.linkSide = 'new';
    this.relayUrl = input.relayUrl;
    this.later(3, () => {
      this.emit('link', { phase: 'compare-codes', code: SCRIPTED_LINK_CODE });
    });
    return Promise.resolve();
  }

  confirmLink(sameCode: boolean): Promise<void> {
    if (!sameCode) {
      this.emit('link', { phase: 'aborted', reason: 'The codes were different.' });
      return Promise.resolve();
    }
    this.emit('link', { phase: 'waiting-for-approval' });
    if (this.linkSide === 'existing-declined')
      // As the real runtime: the phase first, then confirmLink rejects with ChangeRequestDeniedError's code.
      return new Promise((_, reject) => {
        this.later(4, () => {
          this.emit('link', { phase: 'declined' });
          reject(new ScriptedRuntimeError(CHANGE_REQUEST_DENIED, 'an owner declined the request'));
        });
      });
    this.later(4, () => {
      if (this.linkSide === 'new') this.enrol('Maria Santos', 'pwa', this.relayUrl ?? '');
      const phase: LinkPhase = { phase: 'linked' };
      this.emit('link', phase);
    });
    return Promise.resolve();
  }

  cancelLink(): Promise<void> {
    this.linkSide = undefined;
    return Promise.resolve();
  }

  async recoverWithRecoveryKey(
    input: Parameters<AgentRuntime['recoverWithRecoveryKey']>[0],
    onProgress?: ProgressListener,
  ): Promise<void> {
    if (input.recoveryKey.replace(/[\s-]/g, '').toUpperCase() !== SCRIPTED_RECOVERY_KEY.replace(/\s/g, '')) {
      throw new ScriptedRuntimeError('login-failed', 'Login failed.');
    }
    await this.progress(onProgress, 8);
    this.enrol('Maria Santos', input.deviceKind, input.relayUrl);
  }

  devices(): Promise<readonly DeviceView[]> {
    return Promise.resolve(this.devicesList);
  }

  revokeDevice(deviceId: string): Promise<void> {
    const removed = this.devicesList.filter((device) => device.deviceId === deviceId);
    this.devicesList = this.devicesList.filter((device) => device.deviceId !== deviceId);
    this.emit('devices', { added: [], removed });
    return Promise.resolve();
  }

  setRole(agentId: string, role: DeviceView['role']): Promise<void> {
    this.devicesList = this.devicesList.map((device) => (device.agentId === agentId ? { ...device, role } : device));
    return Promise.resolve();
  }

  removeAgent(agentId: string): Promise<void> {
    const removed = this.devicesList.filter((device) => device.agentId === agentId);
    this.devicesList = this.devicesList.filter((device) => device.agentId !== agentId);
    this.emit('devices', { added: [], removed });
    return Promise.resolve();
  }

  pendingChangeRequests(): Promise<readonly ChangeRequestView[]> {
    return Promise.resolve(this.requests);
  }

  decideChangeRequest(id: string): Promise<void> {
    this.requests = this.requests.filter((request) => request.id !== id);
    return Promise.resolve();
  }

  fingerprint(): Promise<string> {
    return Promise.resolve(SCRIPTED_FINGERPRINT);
  }

  snippet(mode: 'default' | 'isolated'): Promise<string> {
    const origin = this.relayUrl ?? 'https://relay.example';
    return Promise.resolve(
      `<script async src="${origin}/widget/sealdesk.js"\n  integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"\n  crossorigin="anonymous"\n  data-account="${ACCOUNT_ID}"\n  data-fingerprint="${SCRIPTED_FINGERPRINT}"${mode === 'isolated' ? '\n  data-mode="isolated"' : ''}></script>`,
    );
  }

  widgetConfig(): ReturnType<AgentRuntime['widgetConfig']> {
    return Promise.resolve(undefined);
  }

  publishWidgetConfig(): Promise<void> {
    return Promise.resolve();
  }

  conversations(): Promise<readonly ConversationSummary[]> {
    return Promise.resolve([...this.summaries.values()]);
  }

  history(conversationId: string): Promise<readonly ChatMessage[]> {
    if (conversationId === CONVERSATIONS.booking) {
      this.later(2, () => {
        this.emit('typing', { conversationId, who: 'Visitor 3FA2', active: true });
      });
    }
    if (conversationId === CONVERSATIONS.invoice) {
      this.later(1, () => {
        // The same alert (one id) each time the history is opened: the inbox shows it once.
        const alert: PlainAlert = {
          kind: 'gap',
          severity: 'warning',
          title: 'A message may be missing',
          text: 'The visitor sent a message that has not arrived. It will show here if it comes; nothing was changed.',
          conversationId,
          id: `scripted-gap-${conversationId}`,
        };
        this.keptAlerts.set(alert.id ?? '', alert);
        this.emit('alert', alert);
      });
    }
    return Promise.resolve([...(this.histories.get(conversationId) ?? [])]);
  }

  /** The alerts raised so far, as the runtime keeps them (by conversation, or all without one). */
  alerts(conversationId?: string): Promise<readonly PlainAlert[]> {
    const kept = [...this.keptAlerts.values()];
    return Promise.resolve(kept.filter((a) => conversationId === undefined || a.conversationId === conversationId));
  }

  /** Keeps the dismissal as the runtime does: the alert stays listed, marked dismissed. */
  dismissAlert(id: string): Promise<void> {
    const alert = this.keptAlerts.get(id);
    if (alert !== undefined) this.keptAlerts.set(id, { ...alert, dismissed: true });
    return Promise.resolve();
  }

  private append(conversationId: string, body: ChatMessage['body']): ChatMessage {
    const now = Date.now();
    const message: ChatMessage = {
      id: `${SELF_DEVICE}:${this.seq++}`,
      conversationId,
      from: 'self',
      senderDeviceId: SELF_DEVICE,
      sentAt: now,
      receivedAt: now,
      body,
      status: 'sending',
    };
    this.histories.set(conversationId, [...(this.histories.get(conversationId) ?? []), message]);
    const summary = this.summaries.get(conversationId);
    if (summary !== undefined) {
      const preview = body.kind === 'text' ? body.text : body.kind === 'attachment' ? body.attachment.name : '';
      const next = { ...summary, preview, lastActivity: now, unread: 0 };
      this.summaries.set(conversationId, next);
      this.emit('conversation', next);
    }
    this.emit('message', message);
    const statuses: MessageStatus[] = ['stored', 'delivered', 'read'];
    statuses.forEach((status, index) => {
      this.later(index + 1, () => {
        this.emit('status', { messageId: message.id, status });
      });
    });
    return message;
  }

  sendText(conversationId: string, text: string): Promise<MessageId> {
    return Promise.resolve(this.append(conversationId, { kind: 'text', text }).id);
  }

  assign(conversationId: string, agentId: string | null): Promise<void> {
    return this.changeSummary(conversationId, (s) => {
      const rest: ConversationSummary = { ...s };
      delete (rest as { assignee?: string }).assignee;
      return agentId === null ? rest : { ...rest, assignee: agentId };
    });
  }

  setStatus(conversationId: string, status: 'open' | 'resolved' | { readonly snoozedUntil: number }): Promise<void> {
    return this.changeSummary(conversationId, (s) => {
      const rest: ConversationSummary = { ...s };
      delete (rest as { snoozedUntil?: number }).snoozedUntil;
      return typeof status === 'string'
        ? { ...rest, status }
        : { ...rest, status: 'snoozed', snoozedUntil: status.snoozedUntil };
    });
  }

  addNote(conversationId: string, text: string): Promise<void> {
    const now = Date.now();
    const note: ChatMessage = {
      id: `note:${SELF_DEVICE}:1:${this.seq++}`,
      conversationId,
      from: 'self',
      senderDeviceId: SELF_DEVICE,
      sentAt: now,
      receivedAt: now,
      body: { kind: 'note', text },
    };
    this.histories.set(conversationId, [...(this.histories.get(conversationId) ?? []), note]);
    this.emit('message', note);
    return Promise.resolve();
  }

  private changeSummary(
    conversationId: string,
    change: (summary: ConversationSummary) => ConversationSummary,
  ): Promise<void> {
    const summary = this.summaries.get(conversationId);
    if (summary === undefined)
      return Promise.reject(new ScriptedRuntimeError('usage', `no conversation ${conversationId}`));
    const next = change(summary);
    this.summaries.set(conversationId, next);
    this.emit('conversation', next);
    return Promise.resolve();
  }

  setTyping(): Promise<void> {
    return Promise.resolve();
  }

  markRead(conversationId: string): Promise<void> {
    const summary = this.summaries.get(conversationId);
    if (summary !== undefined) this.summaries.set(conversationId, { ...summary, unread: 0 });
    return Promise.resolve();
  }

  async sendAttachment(
    conversationId: string,
    file: Blob,
    name: string,
    onProgress?: ProgressListener,
  ): Promise<MessageId> {
    await this.progress((done, total) => onProgress?.((done / total) * file.size, file.size), 5);
    const handle: AttachmentHandle = {
      conversationId,
      messageId: `${SELF_DEVICE}:${this.seq}`,
      name,
      mime: file.type,
      size: file.size,
    };
    const message = this.append(conversationId, { kind: 'attachment', attachment: handle });
    this.blobs.set(message.id, file);
    return message.id;
  }

  async openAttachment(handle: AttachmentHandle, onProgress?: ProgressListener): Promise<Blob> {
    await this.progress((done, total) => onProgress?.((done / total) * handle.size, handle.size), 3);
    const blob = this.blobs.get(handle.messageId);
    if (blob === undefined) throw new ScriptedRuntimeError('attachment-missing', 'This attachment is not here.');
    return blob;
  }

  close(conversationId: string, reason?: string): Promise<void> {
    this.append(conversationId, { kind: 'close', reason: reason ?? '' });
    const summary = this.summaries.get(conversationId);
    if (summary !== undefined) {
      const next: ConversationSummary = { ...summary, closed: true, status: 'resolved' };
      this.summaries.set(conversationId, next);
      this.emit('conversation', next);
    }
    return Promise.resolve();
  }

  safetyCode(): Promise<{ readonly code: string; readonly listVersion: number }> {
    return Promise.resolve({ code: '38422917305521804761', listVersion: 3 });
  }

  blockVisitor(conversationId: string): Promise<void> {
    if (!this.summaries.has(conversationId))
      return Promise.reject(new ScriptedRuntimeError('relay-not-found', `no conversation ${conversationId}`));
    if (!this.blocked.has(conversationId)) this.blocked.set(conversationId, Date.now());
    return Promise.resolve();
  }

  unblockVisitor(conversationId: string): Promise<void> {
    if (!this.blocked.delete(conversationId))
      return Promise.reject(
        new ScriptedRuntimeError('relay-not-found', `conversation ${conversationId} is not blocked`),
      );
    return Promise.resolve();
  }

  blockedConversations(): Promise<readonly BlockedVisitor[]> {
    return Promise.resolve(
      [...this.blocked]
        .map(([conversationId, blockedAt]) => ({ conversationId, blockedAt }))
        .sort((a, b) => b.blockedAt - a.blockedAt),
    );
  }

  /**
   * Scripted canned replies in memory (the real ones: shared/runtime/agent-canned-replies.ts,
   * PROTOCOL §9.7). A sync takes a few steps, as the real one waits for the relay, and answers with
   * new objects, as a list read again from storage is.
   */
  async cannedReplies(options: { readonly sync?: boolean } = {}): Promise<readonly CannedReply[]> {
    if (options.sync === true) await new Promise((resolve) => setTimeout(resolve, 4 * this.stepMs));
    return this.canned.map((reply) => ({ ...reply })).sort((a, b) => a.shortcut.localeCompare(b.shortcut));
  }

  saveCannedReply(input: CannedReplyInput): Promise<CannedReply> {
    const reply: CannedReply = {
      id: input.id ?? (this.seq++).toString(16).padStart(32, '0'),
      shortcut: input.shortcut,
      body: input.body,
      updatedBy: SELF_DEVICE,
    };
    this.canned = [...this.canned.filter((c) => c.id !== reply.id), reply];
    this.emit('cannedReplies', this.canned);
    return Promise.resolve(reply);
  }

  deleteCannedReply(id: string): Promise<void> {
    this.canned = this.canned.filter((c) => c.id !== id);
    this.emit('cannedReplies', this.canned);
    return Promise.resolve();
  }

  /**
   * Scripted teammate (PROTOCOL §9.9): Ana views the aftercare conversation while this agent does,
   * and types there after this agent starts typing in it.
   */
  setViewing(conversationId: string | null): Promise<void> {
    this.activityCalls.push(`view ${conversationId ?? 'none'}`);
    if (conversationId === CONVERSATIONS.aftercare)
      this.later(1, () => {
        this.teammate(conversationId, 'viewing');
      });
    else if (conversationId === null)
      this.later(1, () => {
        this.teammate(undefined, 'viewing');
      });
    return Promise.resolve();
  }

  setComposing(conversationId: string, active: boolean): Promise<void> {
    this.activityCalls.push(`compose ${conversationId} ${String(active)}`);
    if (active && conversationId === CONVERSATIONS.aftercare)
      this.later(1, () => {
        this.teammate(conversationId, 'typing');
      });
    return Promise.resolve();
  }

  teamActivity(): Promise<readonly ConversationActivity[]> {
    return Promise.resolve(this.activityList);
  }

  private teammate(conversationId: string | undefined, activity: 'viewing' | 'typing'): void {
    const ana = { agentId: 'a0000000000000000000000000000002', agentName: 'Ana Ribeiro', activity };
    this.activityList = conversationId === undefined ? [] : [{ conversationId, agents: [ana] }];
    this.emit('teamActivity', this.activityList);
  }

  presence(): Promise<readonly AgentPresence[]> {
    return Promise.resolve(this.presenceList);
  }

  /** The idle reports the app made (true = idle), for the tests of automatic away. */
  readonly idleReports: boolean[] = [];
  private autoAway = false;

  /** The rule of the real runtime (agent-auto-away.ts): idle → away unless away; in use undoes only an automatic away. */
  setIdle(idle: boolean): Promise<void> {
    this.idleReports.push(idle);
    const self = this.devicesList.find((d) => d.self);
    const status = this.presenceList.find((p) => p.agentId === self?.agentId)?.status;
    if (idle && status !== 'away') {
      this.autoAway = true;
      return this.writePresence('away');
    }
    if (!idle && this.autoAway) {
      this.autoAway = false;
      if (status === 'away') return this.writePresence('online');
    }
    return Promise.resolve();
  }

  setPresence(status: PresenceStatus): Promise<void> {
    this.autoAway = false;
    return this.writePresence(status);
  }

  private writePresence(status: PresenceStatus): Promise<void> {
    const self = this.devicesList.find((d) => d.self);
    if (self !== undefined)
      this.presenceList = [
        ...this.presenceList.filter((p) => p.agentId !== self.agentId),
        { agentId: self.agentId, status },
      ];
    this.emit('presence', this.presenceList);
    return Promise.resolve();
  }

  /** No relay behind the scripted runtime: push says so (the real one: shared/runtime/agent-push.ts). */
  pushPublicKey(): Promise<Uint8Array | undefined> {
    return Promise.resolve(undefined);
  }

  registerPushSubscription(): Promise<void> {
    return Promise.reject(new ScriptedRuntimeError('relay-not-found', 'the scripted runtime has no relay'));
  }

  pushSubscriptionEndpoint(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  removePushSubscription(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** A plain substring search over the scripted histories (the real index: shared/runtime/agent-search.ts). */
  searchMessages(query: string): Promise<readonly SearchHit[]> {
    const needle = query.trim().toLowerCase();
    const hits: SearchHit[] = [];
    for (const history of this.histories.values()) {
      for (const message of history) {
        const text = message.body.kind === 'text' || message.body.kind === 'note' ? message.body.text : '';
        if (needle === '' || !text.toLowerCase().includes(needle)) continue;
        hits.push({
          conversationId: message.conversationId,
          messageId: message.id,
          from: message.from,
          ...(message.agentName === undefined ? {} : { agentName: message.agentName }),
          sentAt: message.sentAt,
          text,
          terms: [needle],
        });
      }
    }
    return Promise.resolve(hits.sort((a, b) => b.sentAt - a.sentAt));
  }

  dispose(): void {
    this.listeners.clear();
  }
}
