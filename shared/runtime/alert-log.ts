/**
 * Alerts kept with what they are about (issue #16 item 2): a page that attaches after an alert was
 * raised (a reload, a restarted worker or background) reads it back instead of never seeing it.
 * Each alert gets a stable id when raised, so the one from the event and the one read back are
 * shown once. A conversation keeps its last ALERT_LOG_LIMIT in its record (`alerts`, absent in a
 * record saved before the field existed: no alerts); alerts of no held conversation are kept in
 * one setting (ACCOUNT_ALERTS_SETTING, JSON with a version), capped likewise. A dismissal is kept
 * in the same place as a `dismissed` mark on the alert (issue #16: it stays dismissed after a reload).
 */
import { toHex } from '../crypto/index.js';
import type { RandomSource } from '../crypto/index.js';
import { ALERT_SEVERITIES, type AlertSeverity, type PlainAlert } from './api-common.js';
import type { ConversationRecord } from './conversation-record.js';

/** The most alerts kept per conversation, and for the account; the oldest are dropped first. */
export const ALERT_LOG_LIMIT = 50;

/** The setting that holds the alerts of no held conversation. */
export const ACCOUNT_ALERTS_SETTING = 'account-alerts';
const ACCOUNT_ALERTS_VERSION = 1;

/** The alert with a fresh random id (16 hex digits), unless it has one already. */
export function withAlertId(alert: PlainAlert, rng: RandomSource): PlainAlert & { readonly id: string } {
  return alert.id === undefined ? { ...alert, id: toHex(rng(8)) } : { ...alert, id: alert.id };
}

/** `kept` followed by the `added` it lacks (by id), the newest ALERT_LOG_LIMIT of them. */
export function appendAlerts(kept: readonly PlainAlert[], added: readonly PlainAlert[]): readonly PlainAlert[] {
  const ids = new Set(kept.map((a) => a.id));
  const fresh = added.filter((a) => a.id === undefined || !ids.has(a.id));
  return [...kept, ...fresh].slice(-ALERT_LOG_LIMIT);
}

/**
 * The alerts with the one of id `id` marked dismissed (it stays in the log, so the cap and the
 * order are those of the alerts); the same array when no alert has that id or it is dismissed.
 */
export function dismissIn(alerts: readonly PlainAlert[], id: string): readonly PlainAlert[] {
  const at = alerts.findIndex((a) => a.id === id);
  const alert = alerts[at];
  if (alert === undefined || alert.dismissed === true) return alerts;
  return alerts.map((a, i) => (i === at ? { ...a, dismissed: true } : a));
}

/** The alerts a conversation record keeps (none in a record saved before the field existed). */
export function alertsOfRecord(record: ConversationRecord | undefined): readonly PlainAlert[] {
  return record?.alerts ?? [];
}

/** The record with `added` kept (capped); the same object when nothing was added. */
export function recordWithAlerts(record: ConversationRecord, added: readonly PlainAlert[]): ConversationRecord {
  return added.length === 0 ? record : { ...record, alerts: appendAlerts(alertsOfRecord(record), added) };
}

/** The account's alert log as its setting's text. */
export function encodeAccountAlerts(alerts: readonly PlainAlert[]): string {
  return JSON.stringify({ version: ACCOUNT_ALERTS_VERSION, alerts: alerts.slice(-ALERT_LOG_LIMIT) });
}

/**
 * The account's alert log read from its setting: nothing stored, another version or text that is
 * not a log reads as no alerts (a log is a courtesy to the person, never a reason not to start);
 * entries that are not alerts are skipped.
 */
export function decodeAccountAlerts(value: unknown): readonly PlainAlert[] {
  if (typeof value !== 'string') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [];
  }
  if (!isObject(parsed) || parsed['version'] !== ACCOUNT_ALERTS_VERSION || !Array.isArray(parsed['alerts'])) return [];
  const alerts: PlainAlert[] = [];
  for (const entry of parsed['alerts'] as readonly unknown[]) {
    const alert = asPlainAlert(entry);
    if (alert !== undefined) alerts.push(alert);
  }
  return alerts.slice(-ALERT_LOG_LIMIT);
}

const SEVERITIES: readonly string[] = Object.values(ALERT_SEVERITIES);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asPlainAlert(value: unknown): PlainAlert | undefined {
  if (!isObject(value)) return undefined;
  const { kind, severity, title, text, conversationId, id, dismissed } = value;
  if (typeof kind !== 'string' || typeof title !== 'string' || typeof text !== 'string') return undefined;
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) return undefined;
  if (conversationId !== undefined && typeof conversationId !== 'string') return undefined;
  if (id !== undefined && typeof id !== 'string') return undefined;
  if (dismissed !== undefined && dismissed !== true) return undefined;
  return {
    kind,
    severity: severity as AlertSeverity,
    title,
    text,
    ...(conversationId === undefined ? {} : { conversationId }),
    ...(id === undefined ? {} : { id }),
    ...(dismissed === true ? { dismissed } : {}),
  };
}
