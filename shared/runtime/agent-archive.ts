/**
 * The inbox archive on an agent device (PROTOCOL §9; issue #11 items 3-4): history for devices
 * linked later.
 *
 * - The owner (AIK holder) brings its keyring up to every list it signed: a list that changes the
 *   device set gets a new AIK-signed epoch key, sealed to each other device of that list; a device
 *   the list adds also gets every epoch the owner holds (§9.5). Nothing goes to a removed device.
 * - Every device keeps each message it shows as waiting (one row, in the step that shows it), and
 *   30–60 s later or at its next sync seals what waits, one history record per conversation for up
 *   to 64 messages (§9.2, §9.6), under the current epoch key; with no current key yet
 *   (ArchiveKeyPendingError) the messages keep waiting, never sealed under an older key.
 * - A device fetches its grants and the account's records from the relay, checks each (sealed box
 *   from a listed device, AIK-signed keys, records signed by a device listed at their epoch), and
 *   keeps the messages it could open. A relay that alters or replays one is caught (typed alert,
 *   nothing shown); one that withholds rows only makes the history shorter.
 *
 * Save before effect: keyring, sealed grants and sealed records are committed in one step before
 * anything is sent; the cursors and what was read are committed before anything is shown.
 */
import { toHex } from '../crypto/index.js';
import { SealdeskError } from '../errors/index.js';
import {
  type ArchiveDeviceList,
  type ArchiveKeyring,
  ArchiveKeyPendingError,
  type DeviceList,
  type DirectoryView,
  acceptArchiveKeyGrant,
  applyArchiveDeviceList,
  createArchiveKeyring,
  currentArchiveKey,
  decodeDeviceListBody,
  grantArchiveKeys,
  type AuthoredTeamEvent,
  historyRecordCodec,
  inTeamNamespace,
  isTeamEventRecordId,
  openHistoryRecord,
  rotateArchiveOnListChange,
  sealHistoryRecord,
} from '../protocol/index.js';
import { ConflictError, NotFoundError, TooLargeError, type HistoryRecordBlob } from '../transport/index.js';
import { refusesDevice } from './agent-removal.js';
import { decode, idBytesFromHex, idEquals, idToHex } from '../wire/index.js';
import { type Enrolled, deviceAuth } from './agent-device-session.js';
import {
  type AgentArchiveRecord,
  type ArchivedMessage,
  type UnsealedMessage,
  archiveBatches,
  decodeArchivedMessages,
  emptyArchiveRecord,
  historyRecordId,
} from './agent-archive-record.js';
import { SyncFailures, archiveAlert, historyFullAlert } from './agent-archive-alerts.js';
import { plainAlert } from './plain-alerts.js';
import { type ArchiveItemDraft, ArchiveItems, archivedItem, unsealedItem } from './agent-archive-items.js';
import {
  EMPTY_TEAM_SHARED,
  type TeamSharedChanged,
  type TeamSharedDraft,
  type TeamSharedState,
} from './agent-canned-state.js';
import { sealSharedDrafts } from './agent-canned-sealing.js';
import { type TeamMerge, readTeamRecord } from './agent-canned-reading.js';
import {
  type TeamEventDraft,
  openedTeamEvent,
  sealTeamDrafts,
  teamEventsOf,
  withTeamEvents,
} from './agent-team-events-record.js';
import type { ChatMessage, PlainAlert } from './api-common.js';
import { refreshDirectory, savedView } from './directory-sync.js';
import type { RuntimeStore } from './runtime-shapes.js';
import { SerialQueues } from './serial-queue.js';

/** Relay pages read per sync at most (64 rows each); the rest waits for the next sync. */
const MAX_PAGES = 64;
const QUEUE = 'archive';
/**
 * §9.6: shown messages wait this long by default, plus up to as long again at random (so the
 * devices that showed one message do not all write at once), before they are sealed together.
 */
export const ARCHIVE_DELAY_MS = 30_000;

type Grant = AgentArchiveRecord['outgoingGrants'][number];

/** What one history record carried, once checked (§9.2) and decoded by the rules of its id. */
type OpenedRecord =
  | { readonly kind: 'message'; readonly archived: readonly ArchivedMessage[] }
  | { readonly kind: 'shared'; readonly merge: TeamMerge }
  | { readonly kind: 'team'; readonly event: AuthoredTeamEvent };

/** The verified lists of the view newer than `version`, oldest first. */
function listsAfter(view: DirectoryView, version: number): DeviceList[] {
  return view.history.filter((a) => a.version > version).map((a) => decodeDeviceListBody(a.signed.body));
}

function currentList(view: DirectoryView): DeviceList | undefined {
  return view.current;
}

export class AgentArchive {
  readonly #store: RuntimeStore;
  readonly #alert: (alert: PlainAlert) => void;
  readonly #sharedChanged: (what: NonNullable<TeamSharedChanged>) => void;
  readonly #onTeamEvents: (events: readonly AuthoredTeamEvent[]) => void;
  readonly #viewChanged: (e: Enrolled, before: DirectoryView) => void;
  readonly #queue = new SerialQueues();
  /** The record and its items as saved, read once (one read, so a version-1 record is upgraded once). */
  #held: Promise<{ record: AgentArchiveRecord; readonly items: ArchiveItems }> | undefined;
  #syncing: Promise<void> | undefined;
  /** A nudge came during a sync, which may have read the records before the change (§16.11). */
  #syncAgain = false;
  readonly #syncFailures = new SyncFailures();
  /** The history-full warning was raised and no record was taken since (§9.2). */
  #fullSaid = false;
  readonly #refused: () => void;
  readonly #listed: () => boolean;
  /** The sealing of waiting messages, armed by `waitingSaved` (§9.6), and its delay. */
  #sealTimer: (() => void) | undefined;
  readonly #delayMs: number;
  #disposed = false;

  /**
   * `sharedChanged`: canned replies or presence changed (§9.7); `teamEvents`: team events (§9.8)
   * this device read or wrote, after they were saved.
   */
  constructor(
    store: RuntimeStore,
    alert: (alert: PlainAlert) => void,
    hooks: {
      readonly sharedChanged?: (what: NonNullable<TeamSharedChanged>) => void;
      readonly teamEvents?: (events: readonly AuthoredTeamEvent[]) => void;
      /** A sync adopted a newer signed list (`e.view`; `before` the one held): tell the person (§4.4). */
      readonly viewChanged?: (e: Enrolled, before: DirectoryView) => void;
      /** §4.8: the relay refused this device (401, 410); the runtime checks the verified list, no sync alert. */
      readonly refused?: () => void;
      /** §4.8: false once this device was removed (a sync stops after the list that removed it). */
      readonly listed?: () => boolean;
      /** §9.6: the sealing delay (default ARCHIVE_DELAY_MS). */
      readonly delayMs?: number;
    } = {},
  ) {
    this.#store = store;
    this.#alert = alert;
    this.#sharedChanged = hooks.sharedChanged ?? (() => undefined);
    this.#onTeamEvents = hooks.teamEvents ?? (() => undefined);
    this.#viewChanged = hooks.viewChanged ?? (() => undefined);
    this.#refused = hooks.refused ?? (() => undefined);
    this.#listed = hooks.listed ?? (() => true);
    this.#delayMs = hooks.delayMs ?? ARCHIVE_DELAY_MS;
  }

  /** A sync or send failed: a refusal of this device goes to the runtime (§4.8), the rest is said once. */
  #syncFailed(error: SealdeskError): void {
    if (refusesDevice(error)) {
      this.#refused();
      return;
    }
    const alert = this.#syncFailures.failed(error);
    if (alert !== undefined) this.#alert(alert);
  }

  #hold(): Promise<{ record: AgentArchiveRecord; readonly items: ArchiveItems }> {
    const held = (this.#held ??= (async () => {
      const loaded = await ArchiveItems.load(this.#store, await this.#store.archive());
      return { record: loaded.record ?? emptyArchiveRecord(), items: loaded.items };
    })());
    // A failed read is tried again by the next call, not remembered.
    held.catch(() => {
      if (this.#held === held) this.#held = undefined;
    });
    return held;
  }

  async #load(): Promise<AgentArchiveRecord> {
    return (await this.#hold()).record;
  }

  async #loadItems(): Promise<ArchiveItems> {
    return (await this.#hold()).items;
  }

  /** Saves the record with the items it adds and removes, in one step (one row per item). */
  async #save(
    next: AgentArchiveRecord,
    items: { readonly add?: readonly ArchiveItemDraft[]; readonly remove?: readonly number[] } = {},
  ): Promise<void> {
    const add = items.add ?? [];
    const remove = items.remove ?? [];
    const held = await this.#hold();
    const result = await this.#store.commit({ archive: next, archiveItems: add, archiveItemsRemoved: remove });
    held.record = next;
    held.items.committed(add, result.archiveItems, remove);
  }

  /** Messages read from history records (own conversations' records are this device's already). */
  async archived(): Promise<readonly ArchivedMessage[]> {
    return (await this.#loadItems()).archived;
  }

  /** Canned replies and presence as this device holds them (§9.7). */
  async shared(): Promise<TeamSharedState> {
    return (await this.#load()).shared ?? EMPTY_TEAM_SHARED;
  }

  /**
   * §9.7: a change made on this device. `make` checks it against the items held and returns the
   * draft (in the archive queue, so two changes never take one counter); it is ranked under the
   * current key's epoch, merged and sealed, and saved with the items in one step, then sent. With no
   * current key yet it waits, after any earlier waiting drafts, until the key arrives.
   */
  writeShared(e: Enrolled, make: (state: TeamSharedState) => TeamSharedDraft): Promise<void> {
    return this.#queue.run(QUEUE, async () => {
      const record = await this.#followToCurrentKey(e);
      const draft = make(record.shared ?? EMPTY_TEAM_SHARED);
      const drafts = [...(record.sharedUnsealed ?? []), draft];
      const out = await sealSharedDrafts(record, drafts, e.p.env, e.keys);
      await this.#save(out.record);
      for (const what of out.changed) this.#sharedChanged(what);
      await this.#flush(e);
    });
  }

  /** Team events (§9.8) this device holds, its own included. */
  async teamEvents(): Promise<readonly AuthoredTeamEvent[]> {
    return teamEventsOf(await this.#load());
  }

  /**
   * §9.8: seals this device's team events under the current key (or keeps them until it arrives,
   * §9.1), saves them with the keyring's usage count, then sends them. Resolves once they are saved.
   */
  writeTeam(e: Enrolled, drafts: readonly TeamEventDraft[]): Promise<void> {
    return this.#queue.run(QUEUE, async () => {
      const before = await this.#followToCurrentKey(e);
      const waiting = [...(before.teamUnsealed ?? []), ...drafts];
      const sealed = await sealTeamDrafts(before, waiting, e.p.env, e.keys);
      await this.#save(sealed);
      this.#onTeamEvents(teamEventsOf(sealed));
      try {
        await this.#flush(e);
      } catch (error) {
        if (!(error instanceof SealdeskError)) throw error;
        this.#syncFailed(error);
      }
    });
  }

  /**
   * §9.2, §9.6: the step that showed messages saved them as waiting rows in its own commit (a kill
   * between that step and a commit of their own would have lost them from the history), `seqs`
   * their seqs; they are held, and sealed with the others of their conversation after the delay
   * (or at the next sync: a link, a grant, a listing).
   */
  waitingSaved(e: Enrolled, rows: readonly ArchiveItemDraft[], seqs: readonly number[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.#queue.run(QUEUE, async () => {
      // A first read of the items after that commit has them already: they are not taken twice.
      (await this.#hold()).items.committed(rows, seqs, []);
      this.#armSealing(e);
    });
  }

  #armSealing(e: Enrolled): void {
    if (this.#sealTimer !== undefined || this.#disposed) return;
    const r = e.p.env.rng(2);
    const jitter = Math.floor(((((r[0] ?? 0) << 8) | (r[1] ?? 0)) / 65_536) * this.#delayMs);
    this.#sealTimer = e.p.timers.after(this.#delayMs + jitter, () => {
      this.#sealTimer = undefined;
      void this.#queue.run(QUEUE, async () => {
        if (this.#disposed || !this.#listed() || (await this.#loadItems()).unsealed.length === 0) return;
        try {
          await this.#sealWaiting(e, await this.#followToCurrentKey(e));
        } catch (error) {
          if (!(error instanceof SealdeskError)) throw error;
          this.#syncFailed(error);
        }
      });
    });
  }

  /** No more sealing is armed; what waits stays saved for the next start. */
  dispose(): void {
    this.#disposed = true;
    this.#sealTimer?.();
    this.#sealTimer = undefined;
  }

  /**
   * Brings the keyring up to the view (the owner rotates, §9.5), sends what is saved, then reads
   * new grants and records. Relay failures leave everything saved for the next sync.
   */
  sync(e: Enrolled): Promise<void> {
    return this.#queue.run(QUEUE, async () => {
      if (e.account.identity === undefined) await this.#refreshView(e);
      // §4.8: the list just adopted may have removed this device: nothing more is asked of the relay.
      if (!this.#listed()) return;
      await this.#save(await this.#follow(e, await this.#load()));
      await this.#flush(e);
      await this.#readGrants(e);
      await this.#readRecords(e);
    });
  }

  /**
   * `sync` for callers that must not fail on it (start, listing conversations): problems become
   * alerts, and a call while one runs joins it instead of queueing another.
   */
  syncQuietly(e: Enrolled): Promise<void> {
    this.#syncing ??= this.syncNow(e).finally(() => {
      this.#syncing = undefined;
      if (!this.#syncAgain) return;
      this.#syncAgain = false;
      void this.syncQuietly(e);
    });
    return this.#syncing;
  }

  /**
   * §16.11: the relay says the history changed or a grant awaits this device: sync now (grants,
   * then what waited for them is sealed, then records), or once more after the sync running.
   */
  nudged(e: Enrolled): void {
    if (this.#syncing !== undefined) this.#syncAgain = true;
    else void this.syncQuietly(e);
  }

  /** A sync of its own, after the owner signed a list (a running sync may have read the view before it). */
  async syncNow(e: Enrolled): Promise<void> {
    try {
      await this.sync(e);
      this.#syncFailures.succeeded();
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      this.#syncFailed(error);
    }
  }

  /** A device without the account key learns of lists it was not sent in a conversation (§4.4). */
  async #refreshView(e: Enrolled): Promise<void> {
    const before = e.view;
    const refreshed = await refreshDirectory(e.p.http, e.account.accountId, e.view, e.p.env);
    // A forged or rolled-back list the relay served here is refused and said, as in a conversation (§4.4).
    for (const alert of refreshed.alerts) this.#alert(plainAlert(alert));
    if (refreshed.view === before || e.view !== before) return;
    await this.#store.commit({ directories: [savedView(e.account.accountId, refreshed.view)] });
    e.view = refreshed.view;
    this.#viewChanged(e, before);
  }

  /**
   * §9.1, §9.5: the keyring brought up to the view for a change made on this device. When that
   * leaves it without a current key (a list change whose epoch key the owner has sent meanwhile:
   * grants come with no nudge, §16.11), the grants are read first, so the change is sealed and
   * sent now instead of waiting for this device's next sync. Offline, it just waits as before.
   */
  async #followToCurrentKey(e: Enrolled): Promise<AgentArchiveRecord> {
    const record = await this.#follow(e, await this.#load());
    if (record.keyring !== undefined && holdsCurrentKey(record.keyring)) return record;
    await this.#save(record);
    try {
      await this.#readGrants(e);
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
    }
    return this.#load();
  }

  /** The keyring follows every verified list; on the owner each device-set change makes a new epoch. */
  async #follow(e: Enrolled, record: AgentArchiveRecord): Promise<AgentArchiveRecord> {
    const identity = e.account.identity;
    const current = currentList(e.view);
    if (current === undefined) return record;
    if (identity === undefined) {
      if (record.keyring === undefined) return record;
      let keyring = record.keyring;
      for (const list of listsAfter(e.view, keyring.listVersion)) keyring = await applyArchiveDeviceList(keyring, list);
      return { ...record, keyring };
    }
    const grants: Grant[] = [];
    let keyring = record.keyring;
    if (keyring === undefined) {
      keyring = await createArchiveKeyring(e.p.env, identity, current);
      grants.push(...(await grantArchiveKeys(e.p.env, keyring, e.keys, current.devices, 'current')));
    }
    for (const list of listsAfter(e.view, keyring.listVersion)) {
      const before = keyring.devices;
      const step = await rotateArchiveOnListChange(e.p.env, identity, keyring, e.keys, list);
      keyring = step.keyring;
      grants.push(...step.grants);
      const added = list.devices.filter((d) => !before.some((b) => idEquals(b.deviceId, d.deviceId)));
      // §9.5, §10.5: a device the list adds gets every epoch its sponsor holds.
      if (step.rotated && added.length > 0)
        grants.push(...(await grantArchiveKeys(e.p.env, keyring, e.keys, added, 'all')));
    }
    if (keyring === record.keyring) return record;
    return { ...record, keyring, outgoingGrants: [...record.outgoingGrants, ...grants] };
  }

  /**
   * The waiting messages and canned-reply or presence drafts sealed under the current key and saved
   * in one step (those still without a key come back as waiting rows), then sent.
   */
  async #sealWaiting(e: Enrolled, record: AgentArchiveRecord): Promise<void> {
    const sharedDrafts = record.sharedUnsealed ?? [];
    const items = await this.#loadItems();
    if ((items.unsealed.length === 0 && sharedDrafts.length === 0) || record.keyring === undefined) return;
    const removed = items.unsealedSeqs;
    const messages = await this.#seal(e, record, items.unsealed);
    const out = await sealSharedDrafts(messages.record, sharedDrafts, e.p.env, e.keys);
    await this.#save(out.record, { add: messages.waiting.map(unsealedItem), remove: removed });
    for (const what of out.changed) this.#sharedChanged(what);
    await this.#flush(e);
  }

  /** Seals the messages under the current key, one record per batch (§9.6); the rest wait (saved by the caller as items). */
  async #seal(
    e: Enrolled,
    record: AgentArchiveRecord,
    messages: readonly UnsealedMessage[],
  ): Promise<{ record: AgentArchiveRecord; waiting: UnsealedMessage[] }> {
    let keyring = record.keyring;
    if (keyring === undefined) return { record, waiting: [...messages] };
    const sealed: { recordId: Uint8Array; record: Uint8Array }[] = [];
    const waiting: UnsealedMessage[] = [];
    for (const batch of archiveBatches(messages)) {
      const first = batch.messages[0];
      if (first === undefined) continue;
      const recordId = historyRecordId(idBytesFromHex(batch.conversationId), first.message.id);
      // §9.7: a conversation whose id is the team namespace's bytes is not archived (never taken for a team record).
      if (inTeamNamespace(recordId)) continue;
      try {
        const out = await sealHistoryRecord(keyring, e.p.env, e.keys, recordId, batch.plaintext);
        keyring = out.keyring;
        sealed.push({ recordId, record: out.record });
      } catch (error) {
        // §9.1: no current key (the owner's key for the newest change has not arrived): wait.
        if (!(error instanceof ArchiveKeyPendingError)) throw error;
        waiting.push(...batch.messages);
      }
    }
    return { record: { ...record, keyring, outgoingRecords: [...record.outgoingRecords, ...sealed] }, waiting };
  }

  /** Sends the saved grants and records; what the relay refuses for good is dropped, the rest kept. */
  async #flush(e: Enrolled): Promise<void> {
    const record = await this.#load();
    if (record.outgoingGrants.length === 0 && record.outgoingRecords.length === 0) return;
    const auth = await deviceAuth(e);
    const api = e.p.http.archive;
    const grantsLeft: Grant[] = [];
    for (const g of record.outgoingGrants) {
      // §16.11: the recipient, if connected, is nudged and reads its grant at once (its waiting
      // messages and team records are sealed then, not at its next sync).
      const put = () => api.putGrant(e.account.accountId, g.recipientDeviceId, g.sealed, auth, undefined, true);
      if ((await putOutcome(put)) === 'again') grantsLeft.push(g);
    }
    const recordsLeft = [];
    const outcomes = new Set<PutOutcome>();
    for (const r of record.outgoingRecords) {
      const put = () =>
        api.putRecord(e.account.accountId, e.keys.deviceId, r.recordId, r.record, auth, undefined, r.notify === true);
      const outcome = await putOutcome(put);
      outcomes.add(outcome);
      if (outcome === 'again') recordsLeft.push(r);
    }
    await this.#save({ ...(await this.#load()), outgoingGrants: grantsLeft, outgoingRecords: recordsLeft });
    // §9.2: the account's archive is full. Said once, until the relay takes a record again.
    if (outcomes.has('full') && !this.#fullSaid) this.#alert(historyFullAlert());
    if (outcomes.has('full')) this.#fullSaid = true;
    else if (outcomes.has('taken')) this.#fullSaid = false;
  }

  async #readGrants(e: Enrolled): Promise<void> {
    const list = currentList(e.view);
    if (list === undefined) return;
    const auth = await deviceAuth(e);
    let record = await this.#load();
    for (let page = 0; page < MAX_PAGES; page++) {
      const grants = await e.p.http.archive.grants(e.account.accountId, e.keys.deviceId, record.grantCursor, auth);
      if (grants.length === 0) break;
      let keyring = record.keyring;
      for (const g of grants) {
        try {
          const earlierLists = listsAfter(e.view, 0).filter((l) => l.version < list.version);
          keyring = (await acceptArchiveKeyGrant(keyring, list, g.grant, e.keys, { earlierLists })).keyring;
        } catch (error) {
          if (!(error instanceof SealdeskError)) throw error;
          this.#alert(archiveAlert('grant', error));
        }
      }
      record = { ...record, keyring, grantCursor: grants.at(-1)?.seq ?? record.grantCursor };
      await this.#save(record);
    }
    await this.#sealWaiting(e, record);
    const drafts = record.teamUnsealed ?? [];
    if (drafts.length > 0 && record.keyring !== undefined) {
      const sealed = await sealTeamDrafts(await this.#load(), drafts, e.p.env, e.keys);
      await this.#save(sealed);
      if ((sealed.teamUnsealed ?? []).length < drafts.length) this.#onTeamEvents(teamEventsOf(sealed));
      await this.#flush(e);
    }
  }

  async #readRecords(e: Enrolled): Promise<void> {
    const auth = await deviceAuth(e);
    let record = await this.#load();
    for (let page = 0; page < MAX_PAGES; page++) {
      const keyring = record.keyring;
      if (keyring === undefined) return;
      const rows = await e.p.http.archive.records(e.account.accountId, record.recordCursor, auth);
      if (rows.length === 0) return;
      let cursor = record.recordCursor;
      const items = await this.#loadItems();
      const added: ArchiveItemDraft[] = [];
      const seen = new Set<string>();
      let shared = record.shared ?? EMPTY_TEAM_SHARED;
      const changed = new Set<NonNullable<TeamSharedChanged>>();
      const team: AuthoredTeamEvent[] = [];
      let blocked = false;
      for (const row of rows) {
        const opened = await this.#open(e, keyring, row);
        if (opened === 'later') {
          blocked = true;
          break;
        }
        cursor = row.seq;
        if (opened === undefined) continue;
        if (opened.kind === 'team') team.push(opened.event);
        else if (opened.kind === 'shared') shared = this.#merge(opened.merge, shared, changed);
        else {
          // One item per message: each device of a conversation archives what it showed (§9.2).
          for (const archived of opened.archived) {
            const { message } = archived;
            const key = `${message.conversationId}/${message.id}`;
            if (!items.has(message) && !seen.has(key)) {
              seen.add(key);
              added.push(archivedItem(archived));
            }
          }
        }
      }
      record = withTeamEvents({ ...record, recordCursor: cursor, shared }, team);
      await this.#save(record, { add: added });
      for (const what of changed) this.#sharedChanged(what);
      if (team.length > 0) this.#onTeamEvents(teamEventsOf(record));
      if (blocked) return;
    }
  }

  /** A team-shared change merged in; one past the item cap is refused with an alert (§9.7). */
  #merge(merge: TeamMerge, shared: TeamSharedState, changed: Set<NonNullable<TeamSharedChanged>>): TeamSharedState {
    try {
      const out = merge(shared);
      if (out.changed !== undefined) changed.add(out.changed);
      return out.state;
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      this.#alert(archiveAlert('record', error));
      return shared;
    }
  }

  /**
   * One record checked and opened (§9.2), whatever it carries: undefined when it is this device's
   * own or refused (an alert is raised), 'later' when this device does not hold its epoch yet (its
   * grant may follow). Its id says what it is: a team event (§9.8), a team-shared change (§9.7,
   * merged by the caller) or a message.
   */
  async #open(
    e: Enrolled,
    keyring: ArchiveKeyring,
    row: HistoryRecordBlob,
  ): Promise<OpenedRecord | 'later' | undefined> {
    if (idEquals(row.author, e.keys.deviceId)) return undefined;
    try {
      const { body } = decode(historyRecordCodec, row.record, 'historyRecord');
      if (!keyring.keys.some((k) => k.epoch === body.epoch)) return 'later';
      const { plaintext, author } = await openHistoryRecord(keyring, row.recordId, row.record, (epoch) =>
        authorsAt(e.view, keyring, epoch),
      );
      if (isTeamEventRecordId(row.recordId))
        return { kind: 'team', event: openedTeamEvent(plaintext, row.recordId, body.epoch, author) };
      if (inTeamNamespace(row.recordId))
        return { kind: 'shared', merge: readTeamRecord(e.view, body.epoch, row.recordId, plaintext, author) };
      const archived = decodeArchivedMessages(plaintext, row.recordId).map(({ message, ref }): ArchivedMessage => {
        const own = message.senderDeviceId === idToHex(e.keys.deviceId);
        const seen: ChatMessage = { ...message, from: own ? 'self' : message.from === 'self' ? 'agent' : message.from };
        return { message: seen, author: toHex(author), ...(ref === undefined ? {} : { ref }) };
      });
      return { kind: 'message', archived };
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      this.#alert(archiveAlert('record', error));
      return undefined;
    }
  }
}

/** The devices listed at `epoch`: a list the view kept, or the keyring's own for its current epochs. */
function authorsAt(
  view: DirectoryView,
  keyring: ArchiveKeyring,
  epoch: number,
): ArchiveDeviceList['devices'] | undefined {
  const kept = view.history.find((a) => a.version === epoch);
  if (kept !== undefined) return decodeDeviceListBody(kept.signed.body).devices;
  return epoch >= keyring.changeVersion && epoch <= keyring.listVersion ? keyring.devices : undefined;
}

/**
 * What became of one PUT: `taken`; `dropped`, refused for good by a removed device, a slot already
 * written, or a record over its blob limit (a text of control characters grows sixfold as JSON,
 * §9.6 "Limits of this build"), which no retry would change; `full`, the account keeps no more
 * records (§9.2 `archive-full`: dropped too, and said); `again`, a failure a later flush may not meet.
 */
type PutOutcome = 'taken' | 'dropped' | 'full' | 'again';

async function putOutcome(send: () => Promise<void>): Promise<PutOutcome> {
  try {
    await send();
    return 'taken';
  } catch (error) {
    if (error instanceof ConflictError && error.relayCode === 'archive-full') return 'full';
    if (error instanceof NotFoundError || error instanceof ConflictError || error instanceof TooLargeError)
      return 'dropped';
    if (error instanceof SealdeskError) return 'again';
    throw error;
  }
}

/** Whether `keyring` has the key of its current epoch (§9.1: else nothing may be sealed yet). */
function holdsCurrentKey(keyring: ArchiveKeyring): boolean {
  try {
    currentArchiveKey(keyring);
    return true;
  } catch (error) {
    if (error instanceof ArchiveKeyPendingError) return false;
    throw error;
  }
}
