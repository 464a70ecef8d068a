/**
 * createAgentRuntime: the composition root of the agent apps (issue #11 item 3, docs/ARCHITECTURE.md
 * "The runtime API"). One device of a business account: account creation (OPAQUE, account key,
 * first device, recovery key), the signed device list, prekeys kept stocked on the relay, and
 * every conversation of the account, each on its own queue. Each step's state, prekeys, shown
 * messages and outbox entries are committed together BEFORE anything is sent, acked or shown.
 */
import { concatBytes, secureRandom, toHex } from '../crypto/index.js';
import { SealdeskError } from '../errors/index.js';
import {
  type AgentStep,
  type DeviceKeys,
  type DeviceProfile,
  type DirectoryView,
  type MessageBody,
  type LinkRelease,
  type NewDeviceLinkState,
  type SecurityAlert,
  linkPayloadFromText,
  linkPayloadToText,
  businessFingerprint,
  checkSettingsToSign,
  conversationListOf,
  createDeviceKeys,
  createDirectoryViewForKey,
  decodeSignedDeviceList,
  DeviceListBehindError,
  InvalidContentError,
  encodeSignedDeviceList,
  openAgentConversation,
  openAttachmentBlob,
  receiveAsAgent,
  rejectionAlert,
  safetyCode,
  sealAttachment,
  tick,
} from '../protocol/index.js';
import {
  type ConnectionEvent,
  type OpaqueClient,
  type PushSubscriptionKeys,
  RelayConnection,
  type SaveDelivery,
} from '../transport/index.js';
import {
  type ConversationId,
  asConversationId,
  asDeviceId,
  type Envelope,
  decodeEnvelope,
  idBytesFromHex,
  idEquals,
  idToHex,
} from '../wire/index.js';
import type {
  AccountCreated,
  AgentDeviceKind,
  AgentInvite,
  AgentRole,
  ChangeRequestView,
  AgentEvents,
  AgentRuntime,
  ConversationSummary,
  DeviceRemoval,
  DeviceView,
  LinkPhase,
  BlockedVisitor,
  SearchHit,
  AgentPresence,
  CannedReply,
  CannedReplyInput,
  ConversationActivity,
  PresenceStatus,
} from './api-agent.js';
import { TeamActivity } from './agent-team-activity.js';
import { ExistingDeviceLink, NewDeviceLink } from './agent-linking.js';
import type { AttachmentHandle, ChatMessage, HexId, MessageId, PlainAlert, ProgressListener } from './api-common.js';
import type { WidgetConfig } from './api-visitor.js';
import { saveJoinedDevice } from './agent-account-record.js';
import { listedSinceOf } from './listed-since.js';
import { MAINTAIN_EVERY_MS, maintained, needsMaintenance, publishPrekeys } from './agent-prekeys.js';
import {
  type ConversationRecord,
  newRecord,
  parseMessageId,
  reachesVisitor,
  takeReleased,
  tickDueIn,
} from './conversation-record.js';
import { ShownMessages, readConversation } from './conversation-messages.js';
import type { OutboxDraft } from '../storage/index.js';
import { sendStep } from './conversation-steps.js';
import { deviceViewOf } from './device-lists.js';
import { DeviceChanges } from './agent-device-changes.js';
import { movesForward, refreshDirectory, savedView, takeLists } from './directory-sync.js';
import { Emitter } from './emitter.js';
import { type Platform, type RuntimePlatform, platformFor } from './platform.js';
import { plainAlert, problemAlert } from './plain-alerts.js';
import { AlertLog } from './agent-alert-log.js';
import { recordWithAlerts } from './alert-log.js';
import { fetchBundles } from './prekey-fetch.js';
import { MessageSearch } from './agent-search.js';
import {
  AccountKeyRequiredError,
  ChangeRequestDeniedError,
  ConversationClosedError,
  DeviceRemovedError,
  EraseNotAllowedError,
  NotStartedError,
  NotSupportedYetError,
  connectionStateOf,
} from './runtime-errors.js';
import { refusesDevice, relayRefusedAlert, removalIn } from './agent-removal.js';
import { ARCHIVE_ALERT_KINDS } from './agent-archive-alerts.js';
import type { RuntimeShapes, RuntimeStore } from './runtime-shapes.js';
import { SerialQueues } from './serial-queue.js';
import { LOGIN_STEPS, type NewAccountInput, createOwnerAccount } from './agent-account-creation.js';
import { RECOVERY_STEPS, type RecoveryInput, recoverOwnerDevice } from './agent-recovery.js';
import { type Enrolled, deviceAuth, deviceCredentials } from './agent-device-session.js';
import * as blocks from './agent-blocks.js';
import * as push from './agent-push.js';
import { DEVICE_LIST_QUEUE, addLinkedDevice, removeDevice, resignIfDue } from './agent-list-changes.js';
import { firstWidgetConfig, publishWidgetConfig, readWidgetConfig } from './widget-config-reading.js';
import { isChangeRequestEnvelope } from './agent-change-request-channel.js';
import { publishSavedLists } from './agent-list-publishing.js';
import { ChangeRequests } from './agent-change-requests.js';
import {
  agentIdFromHex,
  invitedProfile,
  mayLink,
  ownerIdentity,
  removeAgentDevices,
  setAgentRole,
} from './agent-team.js';
import { AgentArchive } from './agent-archive.js';
import { keepBusinessName, keptBusinessName } from './agent-business-name.js';
import { type ArchiveItemDraft, waitingArchiveRows } from './agent-archive-items.js';
import * as canned from './agent-canned-replies.js';
import { PRESENCE_QUEUE, applyIdle, setPresenceByHand } from './agent-auto-away.js';
import { archivedSummaries, mergeHistory, withArchivedPreview } from './agent-archive-reading.js';
import {
  type TeamStatusChange,
  TeamStates,
  assignDraft,
  lastVisitorAt,
  noteDraft,
  notesAsMessages,
  statusDraft,
  withNotes,
  withTeamState,
} from './agent-team-events.js';
import type { AuthoredTeamEvent } from '../protocol/index.js';

export interface AgentRuntimePorts extends RuntimePlatform {
  readonly store: RuntimeStore;
  /** The OPAQUE client (shared/transport/opaque in the agent apps): the key stretching of PROTOCOL §17. */
  readonly opaque: OpaqueClient;
  /**
   * Builds the embed snippet (widget/snippet `snippetTag`); the runtime does not bundle the widget.
   * May be async: the agent apps read the widget build's manifest (its integrity hashes) from the relay.
   */
  readonly snippetTag?: (options: {
    readonly relay: string;
    readonly account: string;
    readonly pin: string;
    readonly mode: 'default' | 'isolated';
  }) => string | Promise<string>;
  /**
   * PROTOCOL §4.8: deletes everything this device stored (the agent apps: close the store, delete
   * their IndexedDB databases). Without it, eraseDevice is NotSupportedYetError.
   */
  readonly erase?: () => Promise<void>;
  /**
   * PROTOCOL §9.6: how long shown messages wait before they are sealed into history records, plus
   * up to as long again at random (default 30,000 ms; tests shorten it). A sync seals them sooner.
   */
  readonly archiveDelayMs?: number;
}

export function createAgentRuntime(ports: AgentRuntimePorts): AgentRuntime {
  return new AgentRuntimeImpl(ports);
}

class AgentRuntimeImpl implements AgentRuntime {
  readonly #ports: AgentRuntimePorts;
  readonly #store: RuntimeStore;
  readonly #events = new Emitter<AgentEvents>();
  /** The `devices` event, once per adopted list version whichever path adopted it (§4.4). */
  readonly #deviceChanges = new DeviceChanges((change) => {
    this.#events.emit('devices', change);
  });
  readonly #queues = new SerialQueues();
  readonly #records = new Map<string, ConversationRecord>();
  /** Records being read (a version-1 record is upgraded by its one read: conversation-messages.ts). */
  readonly #reading = new Map<string, Promise<ConversationRecord | undefined>>();
  /** Each conversation's shown messages, read once when a step or the history needs them. */
  readonly #shown = new Map<string, Promise<ShownMessages>>();
  /** Conversations listed from history records alone that the UI has been told of (each announced once). */
  #archivedKnown: Set<HexId> | undefined;
  readonly #ticks = new Map<string, () => void>();
  #enrolled: Enrolled | undefined;
  #link: NewDeviceLink | ExistingDeviceLink | undefined;
  #linkTarget: { readonly relayUrl: string; readonly p: Platform } | undefined;
  readonly #linkHooks = {
    phase: (phase: LinkPhase): void => {
      this.#events.emit('link', phase);
    },
    alerts: (alerts: readonly SecurityAlert[]): void => {
      this.#emitAlerts(alerts);
    },
  };
  /** PROTOCOL §9: epoch keys, grants and history records (agent-archive.ts). */
  readonly #archive: AgentArchive;
  #loading: Promise<Enrolled | undefined> | undefined;
  #disposed = false;
  /** The profile the device being linked gets: this device's agent, or an invited agent's. */
  #linkProfile: DeviceProfile | undefined;
  readonly #requests: ChangeRequests;
  /** PROTOCOL §9.8: the team state computed from the team events held (agent-team-events.ts). */
  #team = new TeamStates([]);
  #teamLoaded: Promise<void> | undefined;
  #cancelSnoozeWake: (() => void) | undefined;
  /** PROTOCOL §4.8: set once the verified list no longer names this device (terminal). */
  #removal: DeviceRemoval | undefined;
  /** The business's name as this device last had it (agent-business-name.ts), told with a removal. */
  #businessName: string | undefined;
  /** §4.8: the check of the verified list that a relay refusal started (one at a time). */
  #checkingRefusal: Promise<void> | undefined;
  /** §4.8: the relay refused a listed device and the person was told; again only after it accepted it. */
  #refusalTold = false;

  readonly on = this.#events.on;

  readonly #search: MessageSearch;
  readonly #alertLog: AlertLog;
  /** PROTOCOL §9.9: who else views or types where; this device's own signals (agent-team-activity.ts). */
  readonly #activity: TeamActivity;

  constructor(ports: AgentRuntimePorts) {
    this.#ports = ports;
    this.#store = ports.store;
    this.#alertLog = new AlertLog({
      store: ports.store,
      queues: this.#queues,
      rng: ports.rng ?? secureRandom,
      record: (id) => this.#record(id),
      saved: (record) => {
        this.#records.set(idToHex(record.protocol.conversationId), record);
      },
    });
    this.#search = new MessageSearch(ports.store, () => this.#allMessages());
    this.on('message', (message) => {
      this.#search.add(message);
    });
    this.#requests = new ChangeRequests(ports.store, {
      request: (view) => {
        this.#events.emit('changeRequest', view);
      },
      denied: (denial) => {
        this.#events.emit('changeRequestDenied', denial);
      },
      alert: (alert) => {
        this.#emitAlerts([alert]);
      },
    });
    this.#activity = new TeamActivity({
      keyring: async () => (await this.#store.archive())?.keyring,
      changed: (activity) => {
        this.#events.emit('teamActivity', activity);
      },
      alert: (alert) => {
        this.#raise([alert]);
      },
    });
    this.#archive = new AgentArchive(
      ports.store,
      (alert) => {
        this.#raise([alert]);
      },
      {
        sharedChanged: (what) => {
          void this.#emitShared(what);
        },
        teamEvents: (events) => {
          this.#takeTeamEvents(events);
        },
        viewChanged: (e, before) => {
          this.#emitDeviceChanges(e, before);
        },
        refused: () => {
          const e = this.#enrolled;
          if (e !== undefined) this.#relayRefused(e);
        },
        listed: () => this.#removal === undefined,
        ...(ports.archiveDelayMs === undefined ? {} : { delayMs: ports.archiveDelayMs }),
      },
    );
  }

  // ---- enrolment --------------------------------------------------------------------------------

  async status(): ReturnType<AgentRuntime['status']> {
    const e = await this.#load();
    const removed = this.#removal;
    return e === undefined
      ? { enrolled: false }
      : {
          enrolled: true,
          relayUrl: e.account.relayUrl,
          accountId: idToHex(e.account.accountId),
          ...(removed === undefined ? {} : { removed }),
        };
  }

  /** Loads a stored enrolment once and connects (the runtime after a restart). */
  #load(): Promise<Enrolled | undefined> {
    this.#loading ??= (async () => {
      const [account, keys, prekeys] = await Promise.all([
        this.#store.account(),
        this.#store.deviceKeys(),
        this.#store.prekeys(),
      ]);
      if (account === undefined || keys === undefined || prekeys === undefined) return undefined;
      const view = await this.#store.directory(account.accountId);
      if (view === undefined) return undefined;
      this.#businessName = await keptBusinessName(this.#store);
      const e: Enrolled = {
        p: platformFor(account.relayUrl, this.#ports),
        account,
        keys,
        prekeys,
        view,
        connection: undefined,
        session: undefined,
        cancelMaintenance: undefined,
      };
      this.#enrolled = e;
      // §4.8: a device whose stored verified list no longer names it was removed: it does not connect.
      const removal = removalIn(view, keys.deviceId);
      if (removal === undefined) this.#goOnline(e);
      else this.#enterRemoved(e, removal);
      return e;
    })();
    return this.#loading;
  }

  async #require(): Promise<Enrolled> {
    const e = this.#enrolled ?? (await this.#load());
    if (e === undefined) throw new NotStartedError('this device is not set up: create an account or link it first');
    return e;
  }

  /** #require for every call that sends or changes something: refused once this device was removed (§4.8). */
  async #requireListed(): Promise<Enrolled> {
    const e = await this.#require();
    const removal = this.#removal;
    if (removal !== undefined)
      throw new DeviceRemovedError(
        `this device was removed from the team (device list version ${removal.listVersion}): it can no longer read or send`,
      );
    return e;
  }

  // ---- removal (PROTOCOL §4.8, agent-removal.ts) ---------------------------------------------------

  /**
   * The relay refused this device (hello refused, a call answered 401). Its word alone is not
   * believed: the verified chain is fetched again. Not named any more: removed. Still named: the
   * relay refuses a listed device; told once (until it accepts the device again), retries go on.
   */
  #relayRefused(e: Enrolled): void {
    if (this.#removal !== undefined || this.#checkingRefusal !== undefined || this.#disposed) return;
    const checking = this.#checkRefusal(e)
      .catch((error: unknown) => {
        // The list could not be fetched or verified now: the connection tries again, and the next
        // refusal checks again.
        if (!(error instanceof SealdeskError)) throw error;
        e.connection?.retryAfterRefusal();
      })
      .finally(() => {
        if (this.#checkingRefusal === checking) this.#checkingRefusal = undefined;
      });
    this.#checkingRefusal = checking;
  }

  async #checkRefusal(e: Enrolled): Promise<void> {
    await this.#queues.run(DEVICE_LIST_QUEUE, async () => {
      const before = e.view;
      const refreshed = await refreshDirectory(e.p.http, e.account.accountId, e.view, e.p.env, {
        signsLists: e.account.identity !== undefined,
      });
      // A forged or rolled-back list served here is refused and said (§4.4); the view keeps the last good one.
      this.#emitAlerts(refreshed.alerts);
      if (!movesForward(refreshed.view, e.view)) return;
      await this.#store.commit({ directories: [savedView(e.account.accountId, refreshed.view)] });
      e.view = refreshed.view;
      this.#emitDeviceChanges(e, before);
    });
    if (this.#removal !== undefined || this.#disposed) return;
    // Still listed: the refusal may be an outage, so the connection tries again (later each time).
    e.connection?.retryAfterRefusal();
    if (this.#refusalTold) return;
    this.#refusalTold = true;
    this.#raise([relayRefusedAlert(e.view.current?.version ?? 0)]);
  }

  /** Terminal (§4.8): nothing connects, syncs, replenishes or ticks again; told once. */
  #enterRemoved(e: Enrolled, listed: DeviceRemoval): void {
    if (this.#removal !== undefined) return;
    const businessName = this.#businessName;
    const removal = businessName === undefined ? listed : { ...listed, businessName };
    this.#removal = removal;
    e.cancelMaintenance?.();
    e.cancelMaintenance = undefined;
    this.#activity.stop(undefined);
    this.#cancelSnoozeWake?.();
    this.#cancelSnoozeWake = undefined;
    for (const cancel of this.#ticks.values()) cancel();
    this.#ticks.clear();
    this.#link?.cancel('this device was removed from the team');
    this.#link = undefined;
    void e.connection?.stop();
    this.#events.emit('removed', removal);
  }

  /** §4.8: a removed device deletes what it stored; the runtime is finished afterwards (the app starts a new one). */
  async eraseDevice(): Promise<void> {
    await this.#require();
    if (this.#removal === undefined)
      throw new EraseNotAllowedError('only a device removed from the team erases its data here');
    const erase = this.#ports.erase;
    if (erase === undefined) throw new NotSupportedYetError('this app was built without a way to erase its data');
    await this.stop();
    this.#events.clear();
    await erase();
  }

  async createAccount(input: NewAccountInput, onProgress?: ProgressListener): Promise<AccountCreated> {
    if ((await this.#load()) !== undefined) throw new NotStartedError('this device is set up already');
    // The widget names the business from the first visit (PROTOCOL §19): a first signed configuration,
    // checked before the account exists so a name it cannot carry fails with nothing created.
    const firstConfig = firstWidgetConfig(input.businessName);
    checkSettingsToSign(firstConfig);
    const { enrolled: e, created } = await createOwnerAccount(this.#ports, this.#store, input, onProgress);
    await this.#publishPrekeys(e);
    await this.#archive.sync(e);
    onProgress?.(5, LOGIN_STEPS);
    await this.#keepBusinessName(input.businessName);
    this.#enrolled = e;
    this.#loading = Promise.resolve(e);
    await this.publishWidgetConfig(firstConfig);
    this.#goOnline(e);
    onProgress?.(LOGIN_STEPS, LOGIN_STEPS);
    return created;
  }

  // ---- relay session, prekeys, connection -------------------------------------------------------

  /** Maintains the prekeys (state saved first), then uploads what the relay lacks. */
  #publishPrekeys(e: Enrolled): Promise<void> {
    return this.#queues.run('prekeys', async () => {
      if (needsMaintenance(e.prekeys, e.p.timers.now())) {
        const next = await maintained(e.prekeys, e.keys, e.p.env);
        await this.#store.commit({ prekeys: next });
        e.prekeys = next;
      }
      const published = await publishPrekeys(
        e.p.http,
        e.account.accountId,
        e.prekeys,
        e.account.published,
        await deviceAuth(e),
      );
      if (
        published.uploadedThrough !== e.account.published.uploadedThrough ||
        published.bundleSignedPrekeyId !== e.account.published.bundleSignedPrekeyId
      ) {
        const account = { ...e.account, published };
        await this.#store.commit({ account });
        e.account = account;
      }
    });
  }

  /** PROTOCOL §4.7: a list saved here but never published (the process was killed in between) goes out now. */
  #publishSavedLists(e: Enrolled): Promise<number> {
    return this.#queues.run(DEVICE_LIST_QUEUE, () =>
      publishSavedLists(e, { forgetRemoved: true, auth: () => deviceAuth(e) }),
    );
  }

  /** PROTOCOL §4.2: the owner signs the same devices again before the list's notAfter (7 days ahead). */
  #resignListIfDue(e: Enrolled): Promise<void> {
    return this.#queues.run(DEVICE_LIST_QUEUE, async () => {
      await resignIfDue(this.#store, e);
    });
  }

  #maintainSoon(e: Enrolled): void {
    if (this.#removal !== undefined) return;
    void this.#publishSavedLists(e).catch((error: unknown) => {
      if (!(error instanceof SealdeskError)) throw error;
      if (this.#refusedHere(e, error)) return;
      this.#raise([
        problemAlert(
          'A team change is not published yet',
          'A change to the team devices was saved on this device but the service does not have it yet; retrying later.',
        ),
      ]);
    });
    void this.#resignListIfDue(e).catch((error: unknown) => {
      if (!(error instanceof SealdeskError)) throw error;
      if (this.#refusedHere(e, error)) return;
      this.#raise([
        problemAlert(
          'The team list could not be renewed',
          'The signed list of team devices expires soon and could not be re-signed; retrying later.',
        ),
      ]);
    });
    void this.#publishPrekeys(e).catch((error: unknown) => {
      if (!(error instanceof SealdeskError)) throw error;
      if (this.#refusedHere(e, error)) return;
      this.#raise([
        problemAlert('New visitors may wait', 'Keys for new conversations could not be uploaded; retrying later.'),
      ]);
    });
  }

  #goOnline(e: Enrolled): void {
    if (this.#disposed || this.#removal !== undefined) return;
    const connection = new RelayConnection<RuntimeShapes>({
      url: e.p.wsUrl,
      WebSocket: e.p.WebSocket,
      timers: e.p.timers,
      rng: e.p.env.rng,
      hello: { kind: 'device', device: deviceCredentials(e) },
      store: this.#store,
      onDeliver: (delivery, save) => this.#deliver(e, delivery.envelope, save),
      onEvent: (event) => {
        this.#onConnectionEvent(e, event);
      },
      tuning: e.p.tuning,
    });
    e.connection = connection;
    connection.start();
    this.#maintainSoon(e);
    void this.#syncArchive(e, 'quietly');
    const tick = (): void => {
      e.cancelMaintenance = e.p.timers.after(MAINTAIN_EVERY_MS, () => {
        this.#maintainSoon(e);
        tick();
      });
    };
    tick();
  }

  /** A relay call refused this device (§4.8): the verified list is checked, the caller raises nothing of its own. */
  #refusedHere(e: Enrolled, error: SealdeskError): boolean {
    if (!refusesDevice(error)) return false;
    this.#relayRefused(e);
    return true;
  }

  #onConnectionEvent(e: Enrolled, event: ConnectionEvent): void {
    if (event.type === 'status') {
      this.#events.emit('connection', connectionStateOf(event.status));
      if (event.status === 'ready') {
        this.#refusalTold = false;
        this.#activity.resend(e);
      }
      if (event.status === 'failed' && refusesDevice(event.error)) this.#relayRefused(e);
      return;
    }
    if (event.type === 'nudge') {
      this.#archive.nudged(e);
      return;
    }
    if (event.type === 'team-signal') {
      void this.#activity.receive(e, event.author, event.blob);
      return;
    }
    if (event.type === 'stored' && event.ref !== undefined) {
      const ref = event.ref;
      const key = idToHex(event.conversationId);
      void this.#queues.run(key, () => this.#markStored(event.conversationId, ref)).catch(() => undefined);
      return;
    }
    if (event.type === 'rejected') {
      this.#raise([
        problemAlert('A message could not be sent', 'The service refused a message.', idToHex(event.conversationId)),
      ]);
    }
  }

  async #markStored(conversationId: ConversationId, ref: MessageId): Promise<void> {
    const record = await this.#record(conversationId);
    if (record === undefined) return;
    const left = await this.#store.outbox({ conversationId });
    if (left.some((x) => x.ref === ref)) return;
    // Only the message's row is rewritten (the record does not change).
    const shown = await this.#shownOf(conversationId);
    const messages = shown.begin();
    const changed = messages.raise((_, m) => m.id === ref, 'stored');
    if (changed.length === 0) return;
    await messages.save((rows) => this.#store.commit(rows));
    for (const change of changed) this.#events.emit('status', change);
  }

  async #record(conversationId: ConversationId): Promise<ConversationRecord | undefined> {
    const key = idToHex(conversationId);
    const cached = this.#records.get(key);
    if (cached !== undefined) return cached;
    let reading = this.#reading.get(key);
    if (reading === undefined) {
      reading = readConversation(this.#store, conversationId).finally(() => this.#reading.delete(key));
      this.#reading.set(key, reading);
    }
    const stored = await reading;
    if (stored !== undefined && !this.#records.has(key)) this.#records.set(key, stored);
    return this.#records.get(key) ?? stored;
  }

  /** A conversation's shown messages, read once (after its record, so an old one is upgraded first). */
  #shownOf(conversationId: ConversationId): Promise<ShownMessages> {
    const key = idToHex(conversationId);
    let shown = this.#shown.get(key);
    if (shown === undefined) {
      const reading = this.#record(conversationId).then(() => ShownMessages.load(this.#store, conversationId));
      // A failed read is tried again by the next call, not remembered.
      reading.catch(() => {
        if (this.#shown.get(key) === reading) this.#shown.delete(key);
      });
      this.#shown.set(key, reading);
      shown = reading;
    }
    return shown;
  }

  // ---- receiving --------------------------------------------------------------------------------

  async #deliver(e: Enrolled, bytes: Uint8Array, save: SaveDelivery<RuntimeShapes>): Promise<void> {
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes);
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      await save();
      return;
    }
    const { conversationId, body: packet } = envelope;
    const key = idToHex(conversationId);
    // PROTOCOL §7.8: an envelope for another recipient goes to the protocol, which refuses it as
    // misrouted (the packet names its recipient too) with the alert kept with the conversation.
    if (envelope.recipient.kind !== 'device' || !idEquals(envelope.recipient.deviceId, e.keys.deviceId)) {
      await this.#queues.run(key, () => this.#receive(e, conversationId, packet, save));
      return;
    }
    // A conversation this device holds is no change-request channel (that id would be a SHA-256
    // preimage of a request, agent-change-request-channel.ts): skip the hash on the hot path.
    if (!this.#records.has(key) && (await isChangeRequestEnvelope(envelope))) {
      await this.#queues.run(DEVICE_LIST_QUEUE, () => this.#requests.receive(e, packet, save));
      return;
    }
    // An owner's decision travels back in the request's channel (PROTOCOL §4.5).
    if (!this.#records.has(key) && (await this.#requests.carriesDecision(key))) {
      await this.#queues.run(DEVICE_LIST_QUEUE, () => this.#requests.receiveDecision(e, conversationId, packet, save));
      return;
    }
    await this.#queues.run(key, () => this.#receive(e, conversationId, packet, save));
  }

  async #agentStep(e: Enrolled, record: ConversationRecord | undefined, packet: Uint8Array): Promise<AgentStep> {
    const context = { device: e.keys, prekeys: e.prekeys, deviceList: conversationListOf(e.view) };
    // PROTOCOL §7.6: a conversation opened here keeps the first list that named this device (L_D).
    return record === undefined
      ? openAgentConversation(
          packet,
          { ...context, listedSince: e.account.listedSince ?? listedSinceOf(e.view, e.keys.deviceId) },
          e.p.env,
        )
      : receiveAsAgent(record.protocol, packet, context, e.p.env);
  }

  async #receive(
    e: Enrolled,
    conversationId: ConversationId,
    packet: Uint8Array,
    save: SaveDelivery<RuntimeShapes>,
  ): Promise<void> {
    const record = await this.#record(conversationId);
    const key = idToHex(conversationId);
    const alerts: SecurityAlert[] = [];
    const viewBefore = e.view;
    let step: AgentStep;
    try {
      try {
        step = await this.#agentStep(e, record, packet);
      } catch (error) {
        if (!(error instanceof DeviceListBehindError)) throw error;
        // PROTOCOL §7.6: fetch the newer lists, then take the packet again.
        await this.#refreshView(e, alerts);
        step = await this.#agentStep(e, record, packet);
      }
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      const alert = rejectionAlert(error, conversationId, packet);
      const raised = this.#alertLog.identify([...alerts, ...(alert === undefined ? [] : [alert])].map(plainAlert));
      // The refusal is kept with the conversation in the commit that takes the packet off the queue.
      const kept = record === undefined ? record : recordWithAlerts(record, ofConversation(raised, key));
      await save({
        ...(kept === record || kept === undefined ? {} : { conversations: [{ conversationId, state: kept }] }),
        ...(e.view === viewBefore ? {} : { directories: [savedView(e.account.accountId, e.view)] }),
      });
      if (kept !== undefined) this.#records.set(key, kept);
      this.#raise(raised, kept === record ? undefined : key);
      return;
    }
    const now = e.p.timers.now();
    const base = record === undefined ? newRecord(step.state, now) : { ...record, protocol: step.state };
    // Read once the packet is taken: a refused packet of a conversation never held reads nothing.
    const messages = (await this.#shownOf(conversationId)).begin();
    const taken = takeReleased(base, messages, step.released, now);
    let next = taken.record;
    alerts.push(...step.alerts);
    if (taken.lists.length > 0 || step.listBehind.length > 0) {
      const lists = await takeLists(
        e.view,
        taken.lists.map((l) => decodeSignedDeviceList(l)),
        e.p.env,
      );
      if (movesForward(lists.view, e.view)) e.view = lists.view;
      alerts.push(...lists.alerts);
      if (step.listBehind.length > 0) await this.#refreshView(e, alerts);
    }
    const outbox: OutboxDraft[] = [];
    if (step.peerListBehind.length > 0 && next.closedBy === undefined) {
      // §7.6: only the lists the peer lacks (at most the two newest). An older one would reach this
      // device's siblings too, which already accepted it and must refuse it as a rollback (§4.4 step 5).
      const behind = Math.min(...step.peerListBehind.map((lag) => lag.version));
      const lists = e.view.history
        .filter((l) => l.version > behind)
        .slice(-2)
        .map((l) => encodeSignedDeviceList(l.signed));
      const sent = await sendStep(
        next,
        messages,
        { kind: 'deviceList', lists },
        e.p.env,
        await this.#sendContext(e, next),
      );
      next = sent.record;
      outbox.push(...sent.outbox);
      alerts.push(...sent.alerts);
    }
    const raised = this.#alertLog.identify(alerts.map(plainAlert));
    next = recordWithAlerts(next, ofConversation(raised, key));
    const prekeysChanged = step.prekeys !== e.prekeys;
    const archiveItems = waitingArchiveRows(next, taken.shown);
    const saved = await messages.save((rows) =>
      save({
        conversations: [{ conversationId, state: next }],
        ...rows,
        ...(prekeysChanged ? { prekeys: step.prekeys } : {}),
        ...(e.view === viewBefore ? {} : { directories: [savedView(e.account.accountId, e.view)] }),
        outbox,
        archiveItems,
      }),
    );
    e.prekeys = step.prekeys;
    this.#records.set(idToHex(conversationId), next);
    for (const message of taken.shown) this.#events.emit('message', this.#asSeen(message, e));
    this.#archiveShown(e, archiveItems, saved.archiveItems);
    for (const status of taken.statuses) this.#events.emit('status', status);
    for (const t of taken.typing) {
      this.#events.emit('typing', {
        conversationId: idToHex(conversationId),
        who: t.agentName === '' ? 'Visitor' : t.agentName,
        active: t.active,
      });
    }
    this.#raise(raised, key);
    if (e.view !== viewBefore) this.#emitDeviceChanges(e, viewBefore);
    if (taken.shown.length > 0) this.#events.emit('conversation', this.#summaryOf(next));
    // A new record showing nothing yet (a device linked after the chat began): the archive's preview (§9.6).
    else if (record === undefined) void this.#emitSummary(key);
    if (prekeysChanged && needsMaintenance(e.prekeys, now)) this.#maintainSoon(e);
    this.#armTick(e, conversationId, next);
  }

  /** A frame waits for a missing earlier one: `tick` when the reorder window ends declares the gap. */
  #armTick(e: Enrolled, conversationId: ConversationId, record: ConversationRecord): void {
    const key = idToHex(conversationId);
    this.#ticks.get(key)?.();
    this.#ticks.delete(key);
    const due = tickDueIn(record.protocol, e.p.timers.now());
    if (due === undefined || this.#disposed || this.#removal !== undefined) return;
    this.#ticks.set(
      key,
      e.p.timers.after(due, () => {
        this.#ticks.delete(key);
        void this.#queues
          .run(key, () => this.#tick(e, conversationId))
          .catch((error: unknown) => {
            if (!(error instanceof SealdeskError)) throw error;
          });
      }),
    );
  }

  async #tick(e: Enrolled, conversationId: ConversationId): Promise<void> {
    const record = await this.#record(conversationId);
    if (record === undefined || this.#disposed) return;
    const shown = await this.#shownOf(conversationId);
    const step = tick(record.protocol, e.p.env);
    const messages = shown.begin();
    const taken = takeReleased({ ...record, protocol: step.state }, messages, step.released, e.p.timers.now());
    const key = idToHex(conversationId);
    const raised = this.#alertLog.identify(step.alerts.map(plainAlert));
    const next = recordWithAlerts(taken.record, ofConversation(raised, key));
    const archiveItems = waitingArchiveRows(next, taken.shown);
    const saved = await messages.save((rows) =>
      this.#store.commit({ conversations: [{ conversationId, state: next }], ...rows, archiveItems }),
    );
    this.#records.set(key, next);
    for (const message of taken.shown) this.#events.emit('message', this.#asSeen(message, e));
    this.#archiveShown(e, archiveItems, saved.archiveItems);
    for (const status of taken.statuses) this.#events.emit('status', status);
    this.#raise(raised, key);
    if (taken.shown.length > 0) this.#events.emit('conversation', this.#summaryOf(next));
    this.#armTick(e, conversationId, next);
  }

  /** PROTOCOL §9.6: the shown messages' waiting rows, saved by the step that showed them, go to the archive. */
  #archiveShown(e: Enrolled, rows: readonly ArchiveItemDraft[], seqs: readonly number[]): void {
    void this.#archive.waitingSaved(e, rows, seqs).catch((error: unknown) => {
      if (!(error instanceof SealdeskError)) throw error;
    });
  }

  /** Messages from this device's own id (another session of it) are 'self'; the rest stay as taken. */
  #asSeen(message: ChatMessage, e: Enrolled): ChatMessage {
    return message.senderDeviceId === idToHex(e.keys.deviceId) ? { ...message, from: 'self' } : message;
  }

  /**
   * The signed list may have changed under this device (a person should be told, especially about
   * additions): told once per list version, however many paths adopted it (agent-device-changes.ts).
   */
  #emitDeviceChanges(e: Enrolled, before: DirectoryView): void {
    this.#deviceChanges.adopted(e.keys.deviceId, e.view.current, before.current);
    // §4.8: a verified list adopted on any path (a frame, a sync, a refusal's check) may remove this device.
    const removal = removalIn(e.view, e.keys.deviceId);
    if (removal !== undefined) this.#enterRemoved(e, removal);
  }

  async #refreshView(e: Enrolled, alerts: SecurityAlert[]): Promise<void> {
    const refreshed = await refreshDirectory(e.p.http, e.account.accountId, e.view, e.p.env, {
      signsLists: e.account.identity !== undefined,
    });
    if (movesForward(refreshed.view, e.view)) e.view = refreshed.view;
    alerts.push(...refreshed.alerts);
  }

  // ---- sending ----------------------------------------------------------------------------------

  async #sendContext(e: Enrolled, record: ConversationRecord) {
    const list = conversationListOf(e.view);
    const missing = list.devices.filter(
      (d) =>
        !idEquals(d.deviceId, e.keys.deviceId) && !record.protocol.sessions.some((s) => idEquals(s.peerId, d.deviceId)),
    );
    const siblingBundles = missing.length === 0 ? [] : await fetchBundles(e.p.http, e.account.accountId, missing);
    return { device: e.keys, siblingBundles, deviceList: list };
  }

  async #send(conversationHex: HexId, body: MessageBody): Promise<MessageId> {
    const e = await this.#requireListed();
    const conversationId = asConversationId(idBytesFromHex(conversationHex));
    return this.#queues.run(conversationHex, async () => {
      const record = await this.#record(conversationId);
      if (record === undefined) throw new NotStartedError('no such conversation on this device');
      if (record.closedBy !== undefined && body.kind !== 'readReceipt')
        throw new ConversationClosedError('this conversation is closed');
      // A message for the visitor that no session carries to it would reach only the siblings,
      // silently (api-agent.ts joinedLate). Typing and read receipts are signals, not messages.
      if (body.kind !== 'typing' && body.kind !== 'readReceipt' && !reachesVisitor(record))
        throw new NotStartedError(
          'this device joined after the chat began: it can reply once the visitor writes again; reply from another device until then',
        );
      const shown = await this.#shownOf(conversationId);
      const messages = shown.begin();
      const sent = await sendStep(record, messages, body, e.p.env, await this.#sendContext(e, record));
      const connection = e.connection;
      if (connection === undefined) throw new NotStartedError('the runtime is disposed');
      const raised = this.#alertLog.identify(sent.alerts.map(plainAlert));
      const next = recordWithAlerts(sent.record, ofConversation(raised, conversationHex));
      const archiveItems = waitingArchiveRows(next, sent.shown === undefined ? [] : [sent.shown]);
      const saved = await messages.save((rows) =>
        connection.commit({
          conversations: [{ conversationId, state: next }],
          ...rows,
          outbox: sent.outbox,
          archiveItems,
        }),
      );
      this.#records.set(conversationHex, next);
      this.#raise(raised, conversationHex);
      if (sent.shown !== undefined) {
        this.#events.emit('message', sent.shown);
        this.#archiveShown(e, archiveItems, saved.archiveItems);
        this.#events.emit('conversation', this.#summaryOf(next));
      }
      return sent.messageId;
    });
  }

  sendText(conversationId: HexId, text: string): Promise<MessageId> {
    return this.#send(conversationId, { kind: 'text', text });
  }

  async setTyping(conversationId: HexId, active: boolean): Promise<void> {
    if (await this.#signalsGoNowhere(conversationId)) return;
    await this.#send(conversationId, { kind: 'typing', active });
  }

  /**
   * Typing and read receipts are for the visitor. A device that joined after the chat began has no
   * session with the visitor yet (joinedLate): as frames they would reach its siblings only and take
   * seqs the visitor never gets, so its first reply would show the visitor a false gap (§7.6). Not sent.
   */
  async #signalsGoNowhere(conversationId: HexId): Promise<boolean> {
    const record = await this.#record(asConversationId(idBytesFromHex(conversationId)));
    return record !== undefined && !reachesVisitor(record);
  }

  async markRead(conversationId: HexId, messageId: MessageId): Promise<void> {
    const { sender, seq } = parseMessageId(messageId);
    const key = conversationId;
    const record = this.#records.get(key);
    const wasUnread = record !== undefined && record.unread > 0;
    if (wasUnread) this.#records.set(key, { ...record, unread: 0 });
    if (!(await this.#signalsGoNowhere(conversationId)))
      await this.#send(conversationId, { kind: 'readReceipt', sender, seq });
    // The unread count changed: every page and the extension's toolbar badge follow. The whole
    // summary (team state, archived preview), or the inbox row would lose its assignee and status.
    if (wasUnread) await this.#emitSummary(key);
  }

  async sendAttachment(
    conversationId: HexId,
    file: Blob,
    name: string,
    onProgress?: ProgressListener,
  ): Promise<MessageId> {
    const e = await this.#requireListed();
    const data = new Uint8Array(await file.arrayBuffer());
    const sealed = await sealAttachment(
      e.p.env,
      data,
      { mediaType: file.type === '' ? 'application/octet-stream' : file.type, fileName: name },
      onProgress,
    );
    await e.p.http.conversations.putAttachment(
      asConversationId(idBytesFromHex(conversationId)),
      toHex(sealed.ref.attachmentId),
      concatBytes(...sealed.chunks),
      await deviceAuth(e),
    );
    return this.#send(conversationId, { kind: 'attachment', ref: sealed.ref });
  }

  /**
   * Fetches and opens an attachment of `handle.conversationId`: one this device received or sent,
   * else one read from the inbox archive (a device linked later, PROTOCOL §9.6).
   */
  async openAttachment(handle: AttachmentHandle, onProgress?: ProgressListener): Promise<Blob> {
    const e = await this.#requireListed();
    const conversationId = asConversationId(idBytesFromHex(handle.conversationId));
    const ref =
      (await this.#record(conversationId))?.attachments.find((a) => a.messageId === handle.messageId)?.ref ??
      (await this.#archive.archived()).find(
        (a) => a.message.conversationId === handle.conversationId && a.message.id === handle.messageId,
      )?.ref;
    if (ref === undefined) throw new NotStartedError('no such attachment on this device');
    const blob = await e.p.http.conversations.downloadAttachment(
      conversationId,
      toHex(ref.attachmentId),
      await deviceAuth(e),
    );
    try {
      const bytes = await openAttachmentBlob(ref, blob, onProgress);
      return new Blob([new Uint8Array(bytes)], { type: ref.mediaType });
    } catch (error) {
      const alert = rejectionAlert(error, conversationId);
      if (alert !== undefined) this.#emitAlerts([alert]);
      throw error;
    }
  }

  async close(conversationId: HexId, reason = ''): Promise<void> {
    await this.#send(conversationId, { kind: 'close', reason });
  }

  async safetyCode(conversationId: HexId): Promise<{ readonly code: string; readonly listVersion: number }> {
    const e = await this.#require();
    const record = await this.#record(asConversationId(idBytesFromHex(conversationId)));
    const visitorKey = record?.protocol.visitorIdentityKey;
    const accountKey = e.view.accountKey;
    if (record === undefined || visitorKey === null || visitorKey === undefined || accountKey === undefined)
      throw new NotStartedError('no visitor key in this conversation yet');
    return {
      code: await safetyCode(record.protocol.conversationId, accountKey, visitorKey),
      listVersion: record.protocol.deviceList.version,
    };
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** The ids of the conversations the inbox lists from history records alone (none held here). */
  async #archivedOnlyIds(): Promise<Set<HexId>> {
    const local = new Set((await this.#store.conversationIds()).map((id) => idToHex(id)));
    return new Set(archivedSummaries(await this.#archive.archived(), local).map((c) => c.conversationId));
  }

  /**
   * An archive sync (PROTOCOL §9.6), then a `conversation` event for each conversation the history
   * records brought that this device did not list before, so an inbox shows it without waiting
   * for its next `conversations()` call.
   */
  async #syncArchive(e: Enrolled, how: 'quietly' | 'now'): Promise<void> {
    if (this.#removal !== undefined) return;
    try {
      this.#archivedKnown ??= await this.#archivedOnlyIds();
      await (how === 'quietly' ? this.#archive.syncQuietly(e) : this.#archive.syncNow(e));
      if (this.#disposed) return;
      const archived = await this.#archive.archived();
      // Search takes what the archive brought (a device linked today finds last week's words, #15.3).
      this.#search.addAll(archived.map((a) => a.message));
      const local = new Set((await this.#store.conversationIds()).map((id) => idToHex(id)));
      const known = this.#archivedKnown;
      for (const summary of archivedSummaries(archived, local)) {
        if (known.has(summary.conversationId)) continue;
        known.add(summary.conversationId);
        this.#events.emit('conversation', summary);
      }
    } catch (error) {
      // The sync raises its own alerts; a store that cannot be read shows at the next listing.
      if (!(error instanceof SealdeskError)) throw error;
    }
  }

  async conversations(): Promise<readonly ConversationSummary[]> {
    const e = await this.#require();
    // In the background: listing never waits for the relay; what a sync reads shows at the next listing.
    void this.#syncArchive(e, 'quietly');
    return this.#summaries(e);
  }

  /** Every conversation's summary from what this device holds (no sync). */
  async #summaries(e: Enrolled): Promise<ConversationSummary[]> {
    await this.#teamReady();
    const archived = await this.#archive.archived();
    const out: ConversationSummary[] = [];
    for (const id of await this.#store.conversationIds()) {
      const record = await this.#record(id);
      if (record !== undefined) out.push(withArchivedPreview(this.#summaryOf(record), archived));
    }
    const now = e.p.timers.now();
    for (const summary of archivedSummaries(archived, new Set(out.map((c) => c.conversationId)))) {
      const messages = archived
        .filter((a) => a.message.conversationId === summary.conversationId)
        .map((a) => a.message);
      out.push(withTeamState(summary, this.#team.of(summary.conversationId), now, lastVisitorAt(messages)));
    }
    return out.sort((a, b) => b.lastActivity - a.lastActivity);
  }

  async alerts(conversationId?: HexId): Promise<readonly PlainAlert[]> {
    await this.#require();
    return this.#alertLog.of(conversationId);
  }

  async dismissAlert(id: string, conversationId?: HexId): Promise<void> {
    await this.#require();
    // The bridge hands over what a page sent: an alert id is the 16 hex digits withAlertId gives.
    if (typeof id !== 'string' || !/^[0-9a-f]{16}$/.test(id))
      throw new InvalidContentError('an alert id is 16 hex digits');
    if (conversationId !== undefined) idBytesFromHex(conversationId);
    await this.#alertLog.dismiss(id, conversationId);
  }

  async history(conversationId: HexId): Promise<readonly ChatMessage[]> {
    const e = await this.#require();
    const id = asConversationId(idBytesFromHex(conversationId));
    const local =
      (await this.#record(id)) === undefined ? [] : (await this.#shownOf(id)).list.map((m) => this.#asSeen(m, e));
    await this.#teamReady();
    const notes = notesAsMessages(this.#team.of(conversationId), conversationId, idToHex(e.keys.deviceId), e.view);
    return withNotes(mergeHistory(local, await this.#archive.archived(), conversationId), notes);
  }

  // ---- team state (PROTOCOL §9.8, agent-team-events.ts) -----------------------------------------

  async assign(conversationId: HexId, agentId: HexId | null): Promise<void> {
    const e = await this.#requireListed();
    await this.#archive.writeTeam(e, [assignDraft(e.view, conversationId, agentId, e.p.timers.now())]);
  }

  async setStatus(conversationId: HexId, status: TeamStatusChange): Promise<void> {
    const e = await this.#requireListed();
    await this.#archive.writeTeam(e, [statusDraft(conversationId, status, e.p.timers.now())]);
  }

  async addNote(conversationId: HexId, text: string): Promise<void> {
    const e = await this.#requireListed();
    await this.#archive.writeTeam(e, [noteDraft(conversationId, text, e.p.timers.now())]);
  }

  /** The team state from the stored events, read once (later changes arrive through #takeTeamEvents). */
  #teamReady(): Promise<void> {
    this.#teamLoaded ??= this.#archive.teamEvents().then((events) => {
      this.#team = new TeamStates(events);
      this.#armSnoozeWake();
    });
    return this.#teamLoaded;
  }

  /** New team events were saved: recompute, then tell the UI what changed (summaries, new notes). */
  #takeTeamEvents(events: readonly AuthoredTeamEvent[]): void {
    const before = this.#team;
    const after = new TeamStates(events);
    this.#team = after;
    this.#teamLoaded ??= Promise.resolve();
    this.#armSnoozeWake();
    const e = this.#enrolled;
    if (e === undefined) return;
    const self = idToHex(e.keys.deviceId);
    for (const id of after.conversationIds()) {
      const old = before.of(id);
      const now = after.of(id);
      if (now === undefined || (old !== undefined && sameTeamState(old, now))) continue;
      const known = new Set(notesAsMessages(old, id, self, e.view).map((n) => n.id));
      for (const note of notesAsMessages(now, id, self, e.view))
        if (!known.has(note.id)) this.#events.emit('message', note);
      void this.#emitSummary(id);
    }
  }

  /** A snoozed conversation opens again when its time comes: its summary is sent then. */
  #armSnoozeWake(): void {
    this.#cancelSnoozeWake?.();
    this.#cancelSnoozeWake = undefined;
    const e = this.#enrolled;
    if (e === undefined || this.#disposed || this.#removal !== undefined) return;
    const now = e.p.timers.now();
    const due = this.#team.nextSnoozeEnd(now);
    if (due === undefined) return;
    this.#cancelSnoozeWake = e.p.timers.after(due - now, () => {
      this.#cancelSnoozeWake = undefined;
      for (const id of this.#team.conversationIds())
        if (this.#team.of(id)?.snoozedUntil === due) void this.#emitSummary(id);
      this.#armSnoozeWake();
    });
  }

  async #emitSummary(conversationId: HexId): Promise<void> {
    const e = this.#enrolled;
    if (e === undefined) return;
    const found = (await this.#summaries(e)).find((c) => c.conversationId === conversationId);
    if (found !== undefined) this.#events.emit('conversation', found);
  }

  /** A conversation's summary with the team's status and assignee (§9.8). */
  #summaryOf(record: ConversationRecord): ConversationSummary {
    const summary = summaryOf(record);
    const now = this.#enrolled?.p.timers.now() ?? 0;
    return withTeamState(summary, this.#team.of(summary.conversationId), now, record.lastVisitorAt);
  }

  async searchMessages(query: string, limit?: number): Promise<readonly SearchHit[]> {
    await this.#require();
    return this.#search.search(query, limit);
  }

  // Block list (agent-blocks.ts, PROTOCOL §16.10)
  async blockVisitor(conversationId: HexId): Promise<void> {
    await blocks.blockVisitor(await this.#requireListed(), conversationId);
  }

  async unblockVisitor(conversationId: HexId): Promise<void> {
    await blocks.unblockVisitor(await this.#requireListed(), conversationId);
  }

  async blockedConversations(): Promise<readonly BlockedVisitor[]> {
    return blocks.blockedConversations(await this.#requireListed());
  }

  // Canned replies and presence (agent-canned-replies.ts, PROTOCOL §9.7)
  async cannedReplies(options?: { readonly sync?: boolean }): Promise<readonly CannedReply[]> {
    const e = await this.#require();
    if (options?.sync === true && this.#removal === undefined) await this.#archive.syncNow(e);
    return canned.cannedRepliesOf(await this.#archive.shared());
  }

  async saveCannedReply(input: CannedReplyInput): Promise<CannedReply> {
    return canned.saveCannedReply(this.#archive, await this.#requireListed(), input);
  }

  async deleteCannedReply(id: HexId): Promise<void> {
    await canned.deleteCannedReply(this.#archive, await this.#requireListed(), id);
  }

  async presence(): Promise<readonly AgentPresence[]> {
    await this.#require();
    return canned.presenceOf(await this.#archive.shared());
  }

  async setPresence(status: PresenceStatus): Promise<void> {
    const e = await this.#requireListed();
    await this.#queues.run(PRESENCE_QUEUE, () => setPresenceByHand(this.#archive, e, this.#store, status));
  }

  async setIdle(idle: boolean): Promise<void> {
    const e = await this.#require();
    // The bridge hands over what a page sent.
    if (typeof idle !== 'boolean') throw new InvalidContentError('idle is true or false');
    // §4.8: the app's own housekeeping (idle, viewing, composing) asks nothing of a removed device's relay, silently.
    if (this.#removal !== undefined) return;
    await this.#queues.run(PRESENCE_QUEUE, () => applyIdle(this.#archive, e, this.#store, idle));
  }

  async setViewing(conversationId: HexId | null): Promise<void> {
    const e = await this.#require();
    if (this.#removal === undefined) await this.#activity.setViewing(e, conversationId);
  }

  async setComposing(conversationId: HexId, active: boolean): Promise<void> {
    const e = await this.#require();
    if (this.#removal === undefined) await this.#activity.setComposing(e, conversationId, active);
  }

  async teamActivity(): Promise<readonly ConversationActivity[]> {
    return this.#activity.activity(await this.#require());
  }

  async #emitShared(what: 'canned' | 'presence'): Promise<void> {
    const state = await this.#archive.shared();
    if (what === 'canned') this.#events.emit('cannedReplies', canned.cannedRepliesOf(state));
    else this.#events.emit('presence', canned.presenceOf(state));
  }

  async pushPublicKey(): Promise<Uint8Array | undefined> {
    return push.pushPublicKey(await this.#requireListed());
  }

  async registerPushSubscription(subscription: PushSubscriptionKeys): Promise<void> {
    await push.registerPushSubscription(await this.#requireListed(), subscription);
  }

  async pushSubscriptionEndpoint(): Promise<string | undefined> {
    return push.pushSubscriptionEndpoint(await this.#requireListed());
  }

  async removePushSubscription(): Promise<boolean> {
    return push.removePushSubscription(await this.#requireListed());
  }

  /** Every shown message of every conversation (the search index's rebuild source). */
  async #allMessages(): Promise<readonly ChatMessage[]> {
    const out: ChatMessage[] = [];
    // conversations(): the ones this device holds and those read from the inbox archive (PROTOCOL §9).
    for (const c of await this.conversations()) out.push(...(await this.history(c.conversationId)));
    return out;
  }

  // ---- the account ------------------------------------------------------------------------------

  async devices(): Promise<readonly DeviceView[]> {
    const e = await this.#require();
    return (e.view.current?.devices ?? []).map((d) => deviceViewOf(d, e.keys.deviceId));
  }

  /**
   * Revokes one device (`andSponsored` needs the sponsor field of the new list format: not yet). A
   * device without the account key sends a signed change request to the owner instead (§4.5).
   */
  async revokeDevice(deviceId: HexId): Promise<void> {
    const e = await this.#requireListed();
    const identity = e.account.identity;
    const target = asDeviceId(idBytesFromHex(deviceId));
    if (identity === undefined) {
      await this.#requests.send(e, { kind: 'remove-device', deviceId: target });
      return;
    }
    await this.#queues.run(DEVICE_LIST_QUEUE, async () => {
      const before = e.view;
      await removeDevice(this.#store, e, identity, target);
      this.#emitDeviceChanges(e, before);
    });
    await this.#syncArchive(e, 'now');
  }

  async fingerprint(): Promise<string> {
    const e = await this.#require();
    const key = e.view.accountKey;
    if (key === undefined) throw new NotStartedError('no verified account key');
    return businessFingerprint(key);
  }

  async snippet(mode: 'default' | 'isolated'): Promise<string> {
    const e = await this.#requireListed();
    const tag = this.#ports.snippetTag;
    if (tag === undefined) throw new NotSupportedYetError('this app was built without the snippet generator');
    return tag({
      relay: e.account.relayUrl,
      account: idToHex(e.account.accountId),
      pin: await this.fingerprint(),
      mode,
    });
  }

  async widgetConfig(): Promise<WidgetConfig | undefined> {
    const e = await this.#requireListed();
    const key = e.view.accountKey;
    if (key === undefined) return undefined;
    const { config } = await readWidgetConfig(
      e.p.http.directory,
      { accountId: e.account.accountId, accountKey: key },
      undefined,
    );
    if (config !== undefined) await this.#keepBusinessName(config.businessName);
    return config;
  }

  /**
   * §4.8: the name a removal will be told with: the one the account was created with, or the
   * verified configuration's, just read or signed.
   */
  async #keepBusinessName(name: string): Promise<void> {
    await keepBusinessName(this.#store, name);
    this.#businessName = name;
  }

  async publishWidgetConfig(config: WidgetConfig): Promise<void> {
    const e = await this.#requireListed();
    if (e.account.identity === undefined)
      throw new AccountKeyRequiredError('only a device holding the account key can sign the widget configuration');
    const auth = await deviceAuth(e);
    await publishWidgetConfig(e.p.http.directory, e.account.identity, config, e.p.env, (bytes) =>
      e.p.http.directory.putWidgetConfig(e.account.accountId, bytes, auth),
    );
    await this.#keepBusinessName(config.businessName);
  }

  // ---- not in this build (issue #11: linking, recovery, roles, change requests) ------------------

  /**
   * Existing device (PROTOCOL §10.5): the payload to show; the new device joins this device's agent,
   * or, with `invite`, is the first device of a new agent (a fresh agent id, §3.2; owners only here).
   */
  async startLinkAsExistingDevice(invite?: AgentInvite): Promise<{ readonly qr: Uint8Array; readonly code: string }> {
    const e = await this.#requireListed();
    const accountKey = e.view.accountKey;
    if (accountKey === undefined) throw new NotStartedError('no verified account key');
    mayLink(e, invite);
    this.#link?.cancel('a new link was started');
    const profile = invite === undefined ? e.account.profile : invitedProfile(e, invite, e.p.env);
    this.#linkProfile = profile;
    const { link, payload } = await ExistingDeviceLink.start(
      e.p,
      { accountId: e.account.accountId, accountKey },
      e.keys,
      profile.agentId,
      this.#linkHooks,
    );
    this.#link = link;
    return { qr: payload, code: linkPayloadToText(payload) };
  }

  /** New device: the scanned (or typed) payload of the existing device; its hello goes to the relay. */
  async linkAsNewDevice(input: {
    readonly relayUrl: string;
    readonly scanned: Uint8Array | string;
    readonly deviceKind: AgentDeviceKind;
  }): Promise<void> {
    if ((await this.#load()) !== undefined) throw new NotStartedError('this device is set up already');
    this.#link?.cancel('a new link was started');
    const p = platformFor(input.relayUrl, this.#ports);
    const payload = typeof input.scanned === 'string' ? linkPayloadFromText(input.scanned) : input.scanned;
    const keys = await createDeviceKeys(p.env);
    this.#link = await NewDeviceLink.start(p, payload, keys, input.deviceKind, this.#linkHooks);
    this.#linkTarget = { relayUrl: input.relayUrl, p };
  }

  async confirmLink(sameCode: boolean): Promise<void> {
    const link = this.#link;
    if (link === undefined) throw new NotStartedError('no link in progress');
    if (link instanceof NewDeviceLink) {
      const target = this.#linkTarget;
      if (target === undefined) throw new NotStartedError('no link in progress');
      link.confirm(sameCode, (state) => this.#enrolLinked(target.relayUrl, target.p, link.keys, state));
      return;
    }
    const e = await this.#requireListed();
    const profile = this.#linkProfile ?? e.account.profile;
    await link.confirm(sameCode, { ...profile }, undefined, (release) => this.#listLinked(e, release));
  }

  cancelLink(): Promise<void> {
    this.#link?.cancel('cancelled on this device');
    this.#link = undefined;
    return Promise.resolve();
  }

  /** Existing device: the next list with the new device, saved, published; its relay key enrolled. */
  async #listLinked(e: Enrolled, release: LinkRelease): Promise<void> {
    const identity = e.account.identity;
    const before = e.view;
    if (identity === undefined) {
      // PROTOCOL §10.5 step 6: without the account key, a change request; the grant waits for the list.
      this.#linkHooks.phase({ phase: 'waiting-for-approval' });
      const id = await this.#requests.send(e, { kind: 'add-device', device: release.entry });
      try {
        await this.#requests.awaitListed(e, id, release.entry.deviceId);
      } catch (error) {
        if (error instanceof ChangeRequestDeniedError) {
          this.#link?.cancel('an owner declined the new device');
          this.#linkHooks.phase({ phase: 'declined' });
        }
        throw error;
      }
    } else await this.#queues.run(DEVICE_LIST_QUEUE, () => addLinkedDevice(this.#store, e, identity, release));
    this.#emitDeviceChanges(e, before);
    await this.#syncArchive(e, 'now');
  }

  /** New device: the grant opened; the list naming it is verified, then it is set up and goes online. */
  async #enrolLinked(relayUrl: string, p: Platform, keys: DeviceKeys, state: NewDeviceLinkState): Promise<void> {
    if (state.phase !== 'linked') throw new NotStartedError('the link is not complete');
    const accountId = state.accountId;
    let view = await createDirectoryViewForKey(state.accountKey);
    const taken = await refreshDirectory(p.http, accountId, view, p.env);
    if (taken.rejected !== undefined) throw taken.rejected;
    view = taken.view;
    if (view.current?.devices.some((d) => idEquals(d.deviceId, keys.deviceId)) !== true)
      throw new NotStartedError('the account list does not name this device yet');
    const { entry } = state;
    const profile = { agentId: entry.agentId, agentName: entry.agentName, kind: entry.kind, role: entry.role };
    const { account, prekeys } = await saveJoinedDevice(
      this.#store,
      { relayUrl, accountId, profile, keys, view },
      p.env,
    );
    const e: Enrolled = {
      p,
      account,
      keys,
      prekeys,
      view,
      connection: undefined,
      session: undefined,
      cancelMaintenance: undefined,
    };
    await this.#publishPrekeys(e);
    this.#enrolled = e;
    this.#loading = Promise.resolve(e);
    this.#link = undefined;
    this.#goOnline(e);
    this.#readBusinessName();
  }

  /** §4.8: the business's name from the verified widget configuration, kept for a removal to be told with. */
  #readBusinessName(): void {
    void this.widgetConfig().catch((error: unknown) => {
      if (!(error instanceof SealdeskError)) throw error;
    });
  }

  /** Password + recovery key, no device at hand (agent-recovery.ts, PROTOCOL §11.4). */
  async recoverWithRecoveryKey(input: RecoveryInput, onProgress?: ProgressListener): Promise<void> {
    if ((await this.#load()) !== undefined) throw new NotStartedError('this device is set up already');
    const { enrolled: e, added, removed } = await recoverOwnerDevice(this.#ports, this.#store, input, onProgress);
    await this.#publishPrekeys(e);
    this.#enrolled = e;
    this.#loading = Promise.resolve(e);
    this.#goOnline(e);
    this.#events.emit('devices', {
      added: [deviceViewOf(added, e.keys.deviceId)],
      removed: removed.map((d) => deviceViewOf(d, e.keys.deviceId)),
    });
    onProgress?.(RECOVERY_STEPS, RECOVERY_STEPS);
  }
  /** PROTOCOL §4.5: owners set roles; the relay enrols the devices again with the new role (§16.7). */
  async setRole(agentId: HexId, role: AgentRole): Promise<void> {
    const e = await this.#requireListed();
    const identity = ownerIdentity(e, 'change roles');
    await this.#queues.run(DEVICE_LIST_QUEUE, () =>
      setAgentRole(this.#store, e, identity, agentIdFromHex(agentId), role),
    );
  }

  /**
   * Every device of the agent out in one signed list; the relay deletes them, ending their sessions.
   * A device without the account key (an admin, for an `agent`-role agent) sends a signed change
   * request to the owner instead (§4.5); it is refused here if its role may not ask for it.
   */
  async removeAgent(agentId: HexId): Promise<void> {
    const e = await this.#requireListed();
    const identity = e.account.identity;
    if (identity === undefined) {
      await this.#requests.send(e, { kind: 'remove-agent', agentId: agentIdFromHex(agentId) });
      return;
    }
    await this.#queues.run(DEVICE_LIST_QUEUE, async () => {
      const before = e.view;
      await removeAgentDevices(this.#store, e, identity, agentIdFromHex(agentId));
      this.#emitDeviceChanges(e, before);
    });
  }

  async pendingChangeRequests(): Promise<readonly ChangeRequestView[]> {
    return this.#requests.pending(await this.#require());
  }

  async decideChangeRequest(id: string, approve: boolean): Promise<void> {
    const e = await this.#requireListed();
    const changed = await this.#queues.run(DEVICE_LIST_QUEUE, async () => {
      const before = e.view;
      const { added, removed } = await this.#requests.decide(e, id, approve);
      if (added.length + removed.length === 0) return false;
      this.#emitDeviceChanges(e, before);
      return true;
    });
    // PROTOCOL §9.5, §9.6: the approved list is a device-set change like a direct link or revocation —
    // the owner syncs at once, so an added device gets its archive keys (the history) and a removed
    // one none of the next epoch, without waiting for this device's next listing.
    if (changed) await this.#syncArchive(e, 'now');
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const e = this.#enrolled;
    e?.cancelMaintenance?.();
    this.#activity.stop(e);
    this.#cancelSnoozeWake?.();
    for (const cancel of this.#ticks.values()) cancel();
    this.#ticks.clear();
    this.#archive.dispose();
    void e?.connection?.stop();
    this.#events.clear();
  }

  /** Stops the connection and waits for the delivery in progress (tests, the service worker going away). */
  async stop(): Promise<void> {
    const e = this.#enrolled;
    this.#disposed = true;
    e?.cancelMaintenance?.();
    this.#activity.stop(undefined);
    this.#archive.dispose();
    await e?.connection?.stop();
    await this.#alertLog.settled();
  }

  #emitAlerts(alerts: readonly SecurityAlert[]): void {
    this.#raise(alerts.map(plainAlert));
  }

  /**
   * Gives each alert its id, keeps it (alert-log.ts) and tells the UI. Alerts about `savedWith` were
   * saved in that conversation's record by the caller already (with the identified ids).
   */
  #raise(alerts: readonly PlainAlert[], savedWith?: HexId): void {
    // §4.8: a removed device syncs nothing more; a sync that was running when it was removed says nothing.
    const kept = this.#removal === undefined ? alerts : alerts.filter((a) => a.kind !== ARCHIVE_ALERT_KINDS.sync);
    const raised = this.#alertLog.identify(kept);
    this.#alertLog.keep(savedWith === undefined ? raised : raised.filter((a) => a.conversationId !== savedWith));
    for (const alert of raised) this.#events.emit('alert', alert);
  }
}

function ofConversation(alerts: readonly PlainAlert[], conversationId: HexId): readonly PlainAlert[] {
  return alerts.filter((a) => a.conversationId === conversationId);
}

function sameTeamState(a: ReturnType<TeamStates['of']>, b: ReturnType<TeamStates['of']>): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.status === b.status &&
    a.statusSet === b.statusSet &&
    a.snoozedUntil === b.snoozedUntil &&
    a.statusAt === b.statusAt &&
    (a.assignee === undefined ? '' : toHex(a.assignee)) === (b.assignee === undefined ? '' : toHex(b.assignee)) &&
    a.notes.length === b.notes.length
  );
}

function summaryOf(record: ConversationRecord): ConversationSummary {
  return {
    conversationId: idToHex(record.protocol.conversationId),
    preview: record.preview,
    lastActivity: record.lastActivity,
    unread: record.unread,
    status: record.closedBy === undefined ? 'open' : 'resolved',
    closed: record.closedBy !== undefined,
    ...(reachesVisitor(record) ? {} : { joinedLate: true }),
  };
}
