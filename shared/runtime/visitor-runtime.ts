/**
 * createVisitorRuntime: the widget's composition root (issue #11 item 3, docs/ARCHITECTURE.md
 * "The runtime API"). It verifies the business's device-list chain against the snippet pin,
 * opens one conversation, and runs every step of it on one queue: each step's new state, shown
 * messages and outbox entries are committed together BEFORE anything is sent, acked or shown
 * (shared/protocol/README.md), so a page closed at any instant loses nothing and reuses no key.
 */
import { concatBytes, toHex } from '../crypto/index.js';
import { SealdeskError } from '../errors/index.js';
import {
  ALERT_KINDS,
  DeviceListBehindError,
  ExpiredDeviceListError,
  MisroutedPacketError,
  NoVerifiedBundleError,
  type DirectoryView,
  type MessageBody,
  type SecurityAlert,
  type SeenWidgetConfig,
  applyDeviceList,
  businessFingerprint,
  conversationListOf,
  createDirectoryView,
  decodeSignedDeviceList,
  encodeSignedDeviceList,
  openAttachmentBlob,
  receiveMessage,
  rejectionAlert,
  safetyCode,
  sealAttachment,
  startVisitorConversation,
  tick,
  visitorListOf,
} from '../protocol/index.js';
import { BlockedError, type ConnectionEvent, RelayConnection, type SaveDelivery } from '../transport/index.js';
import type { OutboxDraft } from '../storage/index.js';
import {
  type AccountId,
  type ConversationId,
  asAccountId,
  decodeEnvelope,
  idBytesFromHex,
  idEquals,
  idToHex,
} from '../wire/index.js';
import type { AttachmentHandle, ConnectionState, MessageId, ProgressListener } from './api-common.js';
import type {
  VisitorConversationView,
  VisitorEvents,
  VisitorReady,
  VisitorRuntime,
  WidgetConfig,
} from './api-visitor.js';
import {
  type ConversationRecord,
  type StoredConversationRecord,
  newRecord,
  parseMessageId,
  takeReleased,
  tickDueIn,
} from './conversation-record.js';
import { ShownMessages, readConversation } from './conversation-messages.js';
import { sendStep } from './conversation-steps.js';
import { refreshDirectory, savedView, takeLists } from './directory-sync.js';
import { Emitter } from './emitter.js';
import {
  connectionStateOf,
  ConversationClosedError,
  NotStartedError,
  BusinessNotReadyError,
} from './runtime-errors.js';
import { type RuntimePlatform, type VisitorPlatform, visitorPlatformFor } from './platform.js';
import { configRefusedAlert, keysRefusedAlert, plainAlert, problemAlert } from './plain-alerts.js';
import { alertsOfRecord, recordWithAlerts } from './alert-log.js';
import { OpenRefusals, refusalAlert } from './relay-refusals.js';
import { fetchBundles } from './prekey-fetch.js';
import type { RuntimeShapes, RuntimeStore, VisitorStorage } from './runtime-shapes.js';
import { SerialQueues } from './serial-queue.js';
import { requireSnippetPin } from './snippet-pin.js';
import { defaultWidgetConfig, readWidgetConfig, seenSettings, storedSeen } from './widget-config-reading.js';

export interface VisitorRuntimePorts extends RuntimePlatform {
  /** The relay's base address (the snippet's data-relay). */
  readonly relayUrl: string;
  /** The business account (32 hex digits). */
  readonly accountId: string;
  /** The business fingerprint pinned by the snippet (PROTOCOL §12.1). */
  readonly pin: string;
  readonly storage: VisitorStorage;
}

interface Active {
  readonly conversationId: ConversationId;
  record: ConversationRecord;
  /** Its shown messages (rows beside the record, conversation-messages.ts). */
  readonly shown: ShownMessages;
  readonly connection: RelayConnection;
  cancelTick?: (() => void) | undefined;
}

export function createVisitorRuntime(ports: VisitorRuntimePorts): VisitorRuntime {
  return new VisitorRuntimeImpl(ports);
}

class VisitorRuntimeImpl implements VisitorRuntime {
  readonly #ports: VisitorRuntimePorts;
  readonly #p: VisitorPlatform;
  readonly #accountId: AccountId;
  readonly #events = new Emitter<VisitorEvents>();
  readonly #queues = new SerialQueues();
  #view: DirectoryView | undefined;
  #store: RuntimeStore | undefined;
  /** The newest widget configuration accepted (PROTOCOL §19.3), stored with the account's directory view. */
  #seenConfig: SeenWidgetConfig | undefined;
  #active: Active | undefined;
  #disposed = false;
  /** Rate limits and blocks of the relay in plain words, Retry-After honoured (issue #15 item 6). */
  readonly #refusals: OpenRefusals;

  readonly on = this.#events.on;

  constructor(ports: VisitorRuntimePorts) {
    this.#ports = ports;
    this.#p = visitorPlatformFor(ports.relayUrl, ports);
    this.#refusals = new OpenRefusals(
      (alert) => {
        this.#events.emit('alert', alert);
      },
      () => this.#p.timers.now(),
    );
    this.#accountId = asAccountId(idBytesFromHex(ports.accountId));
  }

  // ---- start and resume -------------------------------------------------------------------------

  async start(): Promise<VisitorReady> {
    const store = await this.#ports.storage.existing();
    this.#store = store;
    const stored = await store?.directory(this.#accountId);
    if (stored !== undefined) await requireSnippetPin(stored, this.#ports.pin);
    const taken = await refreshDirectory(
      this.#p.http,
      this.#accountId,
      stored ?? createDirectoryView(this.#ports.pin),
      this.#p.env,
    );
    this.#emitAlerts(taken.alerts);
    // PinMismatchError, RollbackError, EquivocationError, SignatureError: the widget refuses to start.
    if (taken.rejected !== undefined) throw taken.rejected;
    const view = taken.view;
    if (view.current === undefined || view.accountKey === undefined) {
      throw new BusinessNotReadyError('this business has not published its team devices yet');
    }
    this.#view = view;
    // PROTOCOL §19.3: RollbackError, EquivocationError (against what this browser accepted before): refused.
    const seen = await storedSeen(store, this.#accountId);
    const read = await readWidgetConfig(
      this.#p.http.directory,
      { accountId: this.#accountId, accountKey: view.accountKey },
      seen,
    ).catch((error: unknown) => {
      const alert = configRefusedAlert(error);
      if (alert !== undefined) this.#events.emit('alert', alert);
      throw error;
    });
    this.#seenConfig = read.seen;
    const config: WidgetConfig = read.config ?? defaultWidgetConfig();
    const business = { name: config.businessName, fingerprint: await businessFingerprint(view.accountKey) };
    if (store === undefined) return { business, config };
    if (taken.accepted || read.seen?.configVersion !== seen?.configVersion)
      await store.commit({
        directories: [savedView(this.#accountId, view)],
        settings: seenSettings(this.#accountId, read.seen),
      });
    const resumed = await this.#resume(store);
    return resumed === undefined ? { business, config } : { business, config, conversation: resumed };
  }

  /** Resumes the most recent stored conversation (an older, closed one stays stored but is not resumed). */
  async #resume(store: RuntimeStore): Promise<VisitorConversationView | undefined> {
    let latest: StoredConversationRecord | undefined;
    for (const conversationId of await store.conversationIds()) {
      const record = await store.conversation(conversationId);
      if (record?.capability === undefined) continue;
      if (latest === undefined || record.lastActivity >= latest.lastActivity) latest = record;
    }
    // A record of the one-record layout is upgraded here, once (conversation-messages.ts).
    const record = latest && (await readConversation(store, latest.protocol.conversationId));
    if (record?.capability === undefined) return undefined;
    const shown = await ShownMessages.load(store, record.protocol.conversationId);
    const active = this.#connect(store, record.protocol.conversationId, record, shown, record.capability);
    await this.#catchUpList();
    return this.#viewOf(active);
  }

  #viewOf(active: Active): VisitorConversationView {
    const record = active.record;
    return {
      conversationId: idToHex(record.protocol.conversationId),
      messages: active.shown.list,
      closed: record.closedBy !== undefined,
      alerts: alertsOfRecord(record),
    };
  }

  // ---- opening ----------------------------------------------------------------------------------

  async openConversation(prechat?: {
    readonly question: string;
    readonly answer: string;
  }): Promise<VisitorConversationView> {
    const current = this.#active;
    if (current !== undefined && current.record.closedBy === undefined) return this.#viewOf(current);
    if (current !== undefined) await this.#stopActive();
    this.#refusals.check();
    const { view, list } = await this.#currentList();
    const bundles = await fetchBundles(this.#p.http, this.#accountId, list.devices);
    const started = await startVisitorConversation(list, bundles, this.#p.env).catch((error: unknown) => {
      if (error instanceof NoVerifiedBundleError) this.#emitRefusedKeys(error.alerts);
      throw error;
    });
    this.#emitAlerts(started.alerts);
    const conversationId = started.state.conversationId;
    // The relay learns the id (derived from the visitor's key, PROTOCOL §5.1) and gives the capability once.
    const capability = await this.#refusals.run(() => this.#p.http.conversations.open(this.#accountId, conversationId));
    const store = this.#store ?? (await this.#ports.storage.create());
    this.#store = store;
    const record = newRecord(started.state, this.#p.timers.now(), capability);
    await store.commit({
      directories: [savedView(this.#accountId, view)],
      settings: seenSettings(this.#accountId, this.#seenConfig),
      conversations: [{ conversationId, state: record }],
    });
    this.#connect(store, conversationId, record, new ShownMessages(conversationId), capability);
    if (prechat !== undefined) await this.sendText(`${prechat.question}\n${prechat.answer}`);
    return this.#viewOf(this.#requireActive());
  }

  /**
   * The list a new conversation starts on (PROTOCOL §4.4, visitorListOf): an expired newest list
   * means fetching the newer ones first; still expired, ExpiredDeviceListError (list-expired alert).
   */
  async #currentList(): Promise<{ view: DirectoryView; list: ReturnType<typeof visitorListOf> }> {
    const view = this.#requireView();
    try {
      return { view, list: visitorListOf(view, this.#p.env) };
    } catch (error) {
      if (!(error instanceof ExpiredDeviceListError)) throw error;
    }
    const refreshed = await refreshDirectory(this.#p.http, this.#accountId, view, this.#p.env);
    this.#emitAlerts(refreshed.alerts);
    if (refreshed.rejected !== undefined) throw refreshed.rejected;
    this.#view = refreshed.view;
    try {
      return { view: refreshed.view, list: visitorListOf(refreshed.view, this.#p.env) };
    } catch (error) {
      if (error instanceof ExpiredDeviceListError) this.#emitAlerts([error.alert]);
      throw error;
    }
  }

  #connect(
    store: RuntimeStore,
    conversationId: ConversationId,
    record: ConversationRecord,
    shown: ShownMessages,
    capability: Uint8Array,
  ): Active {
    const connection = new RelayConnection({
      url: this.#p.wsUrl,
      WebSocket: this.#p.WebSocket,
      timers: this.#p.timers,
      rng: this.#p.env.rng,
      hello: { kind: 'visitor', conversationId, capability },
      store,
      onDeliver: (delivery, save) =>
        this.#queues.run(idToHex(conversationId), () => this.#deliver(delivery.envelope, save)),
      onEvent: (event) => {
        this.#onConnectionEvent(event);
      },
      tuning: this.#p.tuning,
    });
    const active = { conversationId, record, shown, connection };
    this.#active = active;
    connection.start();
    return active;
  }

  // ---- receiving --------------------------------------------------------------------------------

  async #deliver(bytes: Uint8Array, save: SaveDelivery<RuntimeShapes>): Promise<void> {
    const active = this.#requireActive();
    let packet: Uint8Array;
    try {
      const envelope = decodeEnvelope(bytes);
      // PROTOCOL §7.8: another conversation's envelope is refused before any cryptographic work, with
      // the protocol's `misrouted` alert (suspect: the relay), kept with this conversation like any other.
      if (!idEquals(envelope.conversationId, active.conversationId) || envelope.recipient.kind !== 'visitor') {
        const error = new MisroutedPacketError('the relay delivered an envelope for another conversation or recipient');
        await this.#rejected(error, envelope.body, save, undefined);
        return;
      }
      packet = envelope.body;
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      await save();
      return;
    }
    let record = active.record;
    let step;
    try {
      step = await receiveMessage(record.protocol, packet, this.#p.env);
    } catch (error) {
      if (error instanceof DeviceListBehindError) {
        // PROTOCOL §7.6: fetch the newer lists, apply them, and take the packet again.
        record = await this.#withNewerList(record);
        try {
          step = await receiveMessage(record.protocol, packet, this.#p.env);
        } catch (again) {
          return this.#rejected(again, packet, save, record);
        }
      } else {
        return this.#rejected(error, packet, save, undefined);
      }
    }
    const now = this.#p.timers.now();
    const messages = active.shown.begin();
    const taken = takeReleased({ ...record, protocol: step.state }, messages, step.released, now);
    let next = taken.record;
    const alerts: SecurityAlert[] = [...step.alerts];
    let viewChanged = false;
    // In-band lists (PROTOCOL §7.3) and lists a frame names as newer (§7.6): to the directory view first.
    if (taken.lists.length > 0 || step.listBehind.length > 0) {
      const before = this.#requireView();
      const lists = await takeLists(
        before,
        taken.lists.map((l) => decodeSignedDeviceList(l)),
        this.#p.env,
      );
      alerts.push(...lists.alerts);
      this.#view = lists.view;
      viewChanged = lists.view !== before;
      next = await this.#withNewerList(next, alerts);
      viewChanged ||= this.#view !== before;
    }
    const outbox: OutboxDraft[] = [];
    // Peers on an older list get our newest signed lists in-band (PROTOCOL §7.6).
    if (step.peerListBehind.length > 0 && next.closedBy === undefined) {
      const lists = this.#requireView()
        .history.slice(-2)
        .map((l) => encodeSignedDeviceList(l.signed));
      const sent = await sendStep(next, messages, { kind: 'deviceList', lists }, this.#p.env);
      next = sent.record;
      outbox.push(...sent.outbox);
      alerts.push(...sent.alerts);
    }
    // Kept in the record (alert-log.ts): a reload still shows them (resume's `alerts`).
    next = recordWithAlerts(next, alerts.map(plainAlert));
    await messages.save((rows) =>
      save({
        conversations: [{ conversationId: active.conversationId, state: next }],
        ...rows,
        ...(viewChanged ? { directories: [savedView(this.#accountId, this.#requireView())] } : {}),
        outbox,
      }),
    );
    active.record = next;
    for (const message of taken.shown) this.#events.emit('message', message);
    for (const status of taken.statuses) this.#events.emit('status', status);
    for (const t of taken.typing) this.#events.emit('typing', { agentName: t.agentName, active: t.active });
    this.#emitAlerts(alerts);
    if (taken.closedBy === 'agent') this.#events.emit('closed', { by: 'agent' });
    this.#armTick(active);
  }

  /** A frame waits for a missing earlier one: `tick` when the reorder window ends declares the gap. */
  #armTick(active: Active): void {
    active.cancelTick?.();
    active.cancelTick = undefined;
    const due = tickDueIn(active.record.protocol, this.#p.timers.now());
    if (due === undefined) return;
    active.cancelTick = this.#p.timers.after(due, () => {
      active.cancelTick = undefined;
      void this.#queues
        .run(idToHex(active.conversationId), () => this.#tick(active))
        .catch((error: unknown) => {
          if (!(error instanceof SealdeskError)) throw error;
        });
    });
  }

  async #tick(active: Active): Promise<void> {
    if (this.#active !== active) return;
    const step = tick(active.record.protocol, this.#p.env);
    const messages = active.shown.begin();
    const now = this.#p.timers.now();
    const taken = takeReleased({ ...active.record, protocol: step.state }, messages, step.released, now);
    const next = recordWithAlerts(taken.record, step.alerts.map(plainAlert));
    await messages.save((rows) =>
      active.connection.commit({ conversations: [{ conversationId: active.conversationId, state: next }], ...rows }),
    );
    active.record = next;
    for (const message of taken.shown) this.#events.emit('message', message);
    for (const status of taken.statuses) this.#events.emit('status', status);
    this.#emitAlerts(step.alerts);
    if (taken.closedBy === 'agent') this.#events.emit('closed', { by: 'agent' });
    this.#armTick(active);
  }

  async #rejected(
    error: unknown,
    packet: Uint8Array,
    save: SaveDelivery<RuntimeShapes>,
    record: ConversationRecord | undefined,
  ): Promise<void> {
    // Not a typed rejection: not processed, the connection gets the delivery again.
    if (!(error instanceof SealdeskError)) throw error;
    const active = this.#requireActive();
    const alert = rejectionAlert(error, active.conversationId, packet);
    const kept = alert === undefined ? record : recordWithAlerts(record ?? active.record, [plainAlert(alert)]);
    await save(kept === undefined ? {} : { conversations: [{ conversationId: active.conversationId, state: kept }] });
    if (kept !== undefined) active.record = kept;
    if (alert !== undefined) this.#emitAlerts([alert]);
  }

  /** Applies the view's newest list (fetched from the relay first) to the conversation. */
  async #withNewerList(record: ConversationRecord, alerts: SecurityAlert[] = []): Promise<ConversationRecord> {
    const refreshed = await refreshDirectory(this.#p.http, this.#accountId, this.#requireView(), this.#p.env);
    alerts.push(...refreshed.alerts);
    this.#view = refreshed.view;
    const list = conversationListOf(refreshed.view);
    if (list.version <= record.protocol.deviceList.version) return record;
    const fresh = list.devices.filter((d) => !record.protocol.sessions.some((s) => idEquals(s.peerId, d.deviceId)));
    const bundles = await fetchBundles(this.#p.http, this.#accountId, fresh);
    const applied = await applyDeviceList(record.protocol, list, bundles, this.#p.env);
    alerts.push(...applied.alerts);
    return { ...record, protocol: applied.state };
  }

  /** After a resume: a list published while the page was away is applied before anything is sent. */
  async #catchUpList(): Promise<void> {
    const active = this.#requireActive();
    await this.#queues.run(idToHex(active.conversationId), async () => {
      const alerts: SecurityAlert[] = [];
      const before = active.record;
      let next: ConversationRecord;
      try {
        next = await this.#withNewerList(before, alerts);
      } catch (error) {
        if (!(error instanceof SealdeskError)) throw error;
        return;
      }
      if (next !== before) {
        await active.connection.commit({
          conversations: [{ conversationId: active.conversationId, state: next }],
          directories: [savedView(this.#accountId, this.#requireView())],
        });
        active.record = next;
      }
      this.#emitAlerts(alerts);
    });
  }

  #onConnectionEvent(event: ConnectionEvent): void {
    const active = this.#active;
    if (active === undefined) return;
    if (event.type === 'status') {
      const state: ConnectionState = connectionStateOf(event.status);
      this.#events.emit('connection', state);
      if (event.status === 'failed') {
        this.#events.emit(
          'alert',
          refusalAlert(event.error) ??
            problemAlert(
              'The chat is disconnected',
              'The service no longer accepts this conversation. Start a new one.',
            ),
        );
        // A block is the business ending the chat (PROTOCOL §16.10): the widget says so and offers erase.
        if (event.error instanceof BlockedError) this.#events.emit('closed', { by: 'agent' });
      }
      return;
    }
    if (event.type === 'stored' && event.ref !== undefined) {
      const ref = event.ref;
      void this.#queues.run(idToHex(active.conversationId), () => this.#markStored(active, ref)).catch(() => undefined);
      return;
    }
    if (event.type === 'rejected') {
      this.#events.emit(
        'alert',
        problemAlert(
          'A message could not be sent',
          'The service refused a message. Try again, or start a new conversation.',
        ),
      );
    }
  }

  /** A message is `stored` once the relay confirmed every envelope of its fan-out. */
  async #markStored(active: Active, ref: MessageId): Promise<void> {
    const store = this.#store;
    if (store === undefined || this.#active !== active) return;
    const left = await store.outbox({ conversationId: active.conversationId });
    if (left.some((e) => e.ref === ref)) return;
    // Only the message's row is rewritten (the record does not change).
    const messages = active.shown.begin();
    const changed = messages.raise((_, m) => m.id === ref, 'stored');
    if (changed.length === 0) return;
    await messages.save((rows) => store.commit(rows));
    for (const change of changed) this.#events.emit('status', change);
  }

  // ---- sending ----------------------------------------------------------------------------------

  async #send(body: MessageBody): Promise<MessageId> {
    const active = this.#requireActive();
    return this.#queues.run(idToHex(active.conversationId), async () => {
      if (active.record.closedBy !== undefined) throw new ConversationClosedError('this conversation is closed');
      const messages = active.shown.begin();
      const sent = await sendStep(active.record, messages, body, this.#p.env);
      await messages.save((rows) =>
        active.connection.commit({
          conversations: [{ conversationId: active.conversationId, state: sent.record }],
          ...rows,
          outbox: sent.outbox,
        }),
      );
      active.record = sent.record;
      this.#emitAlerts(sent.alerts);
      if (sent.shown !== undefined) this.#events.emit('message', sent.shown);
      if (body.kind === 'close') this.#events.emit('closed', { by: 'self' });
      return sent.messageId;
    });
  }

  sendText(text: string): Promise<MessageId> {
    return this.#send({ kind: 'text', text });
  }

  async setTyping(active: boolean): Promise<void> {
    await this.#send({ kind: 'typing', active });
  }

  async markRead(messageId: MessageId): Promise<void> {
    const { sender, seq } = parseMessageId(messageId);
    const active = this.#requireActive();
    if (active.record.unread > 0) active.record = { ...active.record, unread: 0 };
    await this.#send({ kind: 'readReceipt', sender, seq });
  }

  async sendAttachment(file: Blob, name: string, onProgress?: ProgressListener): Promise<MessageId> {
    const active = this.#requireActive();
    const capability = active.record.capability;
    if (capability === undefined) throw new NotStartedError('this conversation has no relay capability');
    const data = new Uint8Array(await file.arrayBuffer());
    const sealed = await sealAttachment(
      this.#p.env,
      data,
      { mediaType: file.type === '' ? 'application/octet-stream' : file.type, fileName: name },
      onProgress,
    );
    await this.#p.http.conversations.putAttachment(
      active.conversationId,
      toHex(sealed.ref.attachmentId),
      concatBytes(...sealed.chunks),
      { capability },
    );
    return this.#send({ kind: 'attachment', ref: sealed.ref });
  }

  async openAttachment(handle: AttachmentHandle, onProgress?: ProgressListener): Promise<Blob> {
    const active = this.#requireActive();
    const capability = active.record.capability;
    const entry = active.record.attachments.find((a) => a.messageId === handle.messageId);
    if (entry === undefined || capability === undefined) throw new NotStartedError('no such attachment here');
    const blob = await this.#p.http.conversations.downloadAttachment(
      active.conversationId,
      toHex(entry.ref.attachmentId),
      { capability },
    );
    try {
      const bytes = await openAttachmentBlob(entry.ref, blob, onProgress);
      return new Blob([new Uint8Array(bytes)], { type: entry.ref.mediaType });
    } catch (error) {
      const alert = rejectionAlert(error, active.conversationId);
      if (alert !== undefined) this.#emitAlerts([alert]);
      throw error;
    }
  }

  async close(reason = ''): Promise<void> {
    await this.#send({ kind: 'close', reason });
  }

  async erase(): Promise<void> {
    const active = this.#active;
    if (active === undefined) return;
    await this.#stopActive();
    await this.#store?.commit({ forget: [active.conversationId] });
  }

  async safetyCode(): Promise<{ readonly code: string; readonly listVersion: number }> {
    const active = this.#requireActive();
    const view = this.#requireView();
    const identity = active.record.protocol.visitorIdentity;
    if (identity === null || view.accountKey === undefined) throw new NotStartedError('no conversation key yet');
    const code = await safetyCode(active.conversationId, identity.publicKey, view.accountKey);
    return { code, listVersion: active.record.protocol.deviceList.version };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    void this.#stopActive();
    this.#events.clear();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  async #stopActive(): Promise<void> {
    const active = this.#active;
    this.#active = undefined;
    active?.cancelTick?.();
    await active?.connection.stop();
  }

  /** PROTOCOL §5.1: no bundle verified. Forged or weak keys are one plain alert; others (stale) as they are. */
  #emitRefusedKeys(alerts: readonly SecurityAlert[]): void {
    const forged: readonly string[] = [ALERT_KINDS.badSignature, ALERT_KINDS.badPrekey];
    if (alerts.some((a) => forged.includes(a.kind))) this.#events.emit('alert', keysRefusedAlert());
    this.#emitAlerts(alerts.filter((a) => !forged.includes(a.kind)));
  }

  #emitAlerts(alerts: readonly SecurityAlert[]): void {
    for (const alert of alerts) this.#events.emit('alert', plainAlert(alert));
  }

  #requireView(): DirectoryView {
    if (this.#view === undefined) throw new NotStartedError('call start() first');
    return this.#view;
  }

  #requireActive(): Active {
    if (this.#active === undefined) throw new NotStartedError('open a conversation first');
    return this.#active;
  }
}
