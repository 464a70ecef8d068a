/**
 * Where the agent runtime keeps the alerts it raises (alert-log.ts, issue #16 item 2): a
 * conversation's in its record, the rest in the account's alert setting. The runtime writes a
 * conversation's alerts in the commit of the step that raised them where it has that commit in
 * hand; `keep` writes the others right after, on the conversation's own queue so no step's record
 * is overwritten, and `of` reads on that queue too, so it sees every alert raised before the call.
 */
import type { RandomSource } from '../crypto/index.js';
import { SealdeskError } from '../errors/index.js';
import { type ConversationId, asConversationId, idBytesFromHex } from '../wire/index.js';
import type { HexId, PlainAlert } from './api-common.js';
import {
  ACCOUNT_ALERTS_SETTING,
  alertsOfRecord,
  appendAlerts,
  decodeAccountAlerts,
  dismissIn,
  encodeAccountAlerts,
  recordWithAlerts,
  withAlertId,
} from './alert-log.js';
import type { ConversationRecord } from './conversation-record.js';
import type { RuntimeStore } from './runtime-shapes.js';
import type { SerialQueues } from './serial-queue.js';

const ACCOUNT_QUEUE = 'account-alerts';

export interface AlertLogHost {
  readonly store: RuntimeStore;
  /** The runtime's queues: a conversation's key is its hex id. */
  readonly queues: SerialQueues;
  readonly rng: RandomSource;
  /** The conversation's record as the runtime holds it (its cache, else the store). */
  record(conversationId: ConversationId): Promise<ConversationRecord | undefined>;
  /** The record was saved: the runtime's cache takes it. */
  saved(record: ConversationRecord): void;
}

export class AlertLog {
  readonly #host: AlertLogHost;
  #account: readonly PlainAlert[] | undefined;
  readonly #pending = new Set<Promise<void>>();

  constructor(host: AlertLogHost) {
    this.#host = host;
  }

  /** Each alert with its stable id. */
  identify(alerts: readonly PlainAlert[]): readonly PlainAlert[] {
    return alerts.map((alert) => withAlertId(alert, this.#host.rng));
  }

  /** Saves alerts not saved with their step: with their conversation's record, else with the account. */
  keep(alerts: readonly PlainAlert[]): void {
    const byConversation = new Map<HexId, PlainAlert[]>();
    const account: PlainAlert[] = [];
    for (const alert of alerts) {
      if (alert.conversationId === undefined) account.push(alert);
      else byConversation.set(alert.conversationId, [...(byConversation.get(alert.conversationId) ?? []), alert]);
    }
    for (const [key, added] of byConversation)
      this.#track(this.#host.queues.run(key, () => this.#keepWith(key, added)));
    if (account.length > 0) this.#track(this.#keepWithAccount(account));
  }

  /**
   * The alerts kept about a conversation (also those kept with the account because this device held
   * no record of it when they were raised), or without one the account's whole log; oldest first.
   */
  async of(conversationId?: HexId): Promise<readonly PlainAlert[]> {
    if (conversationId === undefined) return this.#host.queues.run(ACCOUNT_QUEUE, () => this.#accountLog());
    const id = asConversationId(idBytesFromHex(conversationId));
    const own = await this.#host.queues.run(conversationId, async () => alertsOfRecord(await this.#host.record(id)));
    const account = await this.#host.queues.run(ACCOUNT_QUEUE, () => this.#accountLog());
    return [...account.filter((a) => a.conversationId === conversationId), ...own];
  }

  /**
   * Marks the alert `id` dismissed where it is kept: in the conversation's record (with
   * `conversationId`) or in the account's log. An id kept nowhere (dropped by the cap, or never
   * raised here) changes nothing. Runs on the queues the writes use, so an alert still being kept
   * is found.
   */
  async dismiss(id: string, conversationId?: HexId): Promise<void> {
    if (conversationId !== undefined) {
      const found = await this.#host.queues.run(conversationId, async () => {
        const record = await this.#host.record(asConversationId(idBytesFromHex(conversationId)));
        if (record === undefined) return false;
        const kept = alertsOfRecord(record);
        const next = dismissIn(kept, id);
        if (next === kept) return kept.some((a) => a.id === id);
        const saved = { ...record, alerts: next };
        await this.#host.store.commit({
          conversations: [{ conversationId: record.protocol.conversationId, state: saved }],
        });
        this.#host.saved(saved);
        return true;
      });
      if (found) return;
    }
    await this.#host.queues.run(ACCOUNT_QUEUE, async () => {
      const kept = await this.#accountLog();
      const next = dismissIn(kept, id);
      if (next === kept) return;
      await this.#host.store.commit({ settings: [{ name: ACCOUNT_ALERTS_SETTING, value: encodeAccountAlerts(next) }] });
      this.#account = next;
    });
  }

  /** Waits for the alerts still being saved (the runtime stopping). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #keepWith(key: HexId, added: readonly PlainAlert[]): Promise<void> {
    const record = await this.#host.record(asConversationId(idBytesFromHex(key)));
    if (record === undefined) {
      await this.#keepWithAccount(added);
      return;
    }
    const next = recordWithAlerts(record, added);
    await this.#host.store.commit({ conversations: [{ conversationId: record.protocol.conversationId, state: next }] });
    this.#host.saved(next);
  }

  #keepWithAccount(added: readonly PlainAlert[]): Promise<void> {
    return this.#host.queues.run(ACCOUNT_QUEUE, async () => {
      const next = appendAlerts(await this.#accountLog(), added);
      await this.#host.store.commit({ settings: [{ name: ACCOUNT_ALERTS_SETTING, value: encodeAccountAlerts(next) }] });
      this.#account = next;
    });
  }

  async #accountLog(): Promise<readonly PlainAlert[]> {
    this.#account ??= decodeAccountAlerts(await this.#host.store.setting(ACCOUNT_ALERTS_SETTING));
    return this.#account;
  }

  /** A save that fails (the store closed under a stopping runtime) loses that alert's copy, not the event. */
  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      if (!(error instanceof SealdeskError)) throw error;
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }
}
