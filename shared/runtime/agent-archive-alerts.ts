/**
 * Inbox archive problems in words a person can act on (PROTOCOL §9). A grant or a record that does
 * not verify is what a relay altering, replaying or moving one looks like: `danger`, and nothing of
 * it is used or shown. A sync that could not reach the relay is only a `warning` (retried later).
 */
import type { SealdeskError } from '../errors/index.js';
import { RelayError } from '../transport/index.js';
import { ALERT_SEVERITIES, type PlainAlert } from './api-common.js';

export const ARCHIVE_ALERT_KINDS = {
  grant: 'archive-grant-refused',
  record: 'history-record-refused',
  sync: 'history-sync-failed',
  full: 'history-full',
} as const;

export function archiveAlert(what: 'grant' | 'record' | 'sync', error: SealdeskError): PlainAlert {
  if (what === 'sync' || error instanceof RelayError) {
    return {
      kind: ARCHIVE_ALERT_KINDS.sync,
      severity: ALERT_SEVERITIES.warning,
      title: 'Earlier conversations could not be loaded',
      text: `The team's history could not be synchronised (${error.code}); retrying later.`,
    };
  }
  return {
    kind: ARCHIVE_ALERT_KINDS[what],
    severity: ALERT_SEVERITIES.danger,
    title: what === 'grant' ? 'A history key was refused' : 'A history entry was refused',
    text:
      what === 'grant'
        ? `A key for the team's history did not verify (${error.code}) and was not used. The service may have altered or replayed it.`
        : `An entry of the team's history did not verify (${error.code}) and is not shown. The service may have altered, moved or replayed it.`,
  };
}

/**
 * The relay refused a history record because the account keeps as many as it allows (§9.2,
 * 409 `archive-full`; the operator's SEALDESK_MAX_HISTORY_RECORDS). The record is dropped: what this
 * device shows is kept on it, but devices linked later, and the team's other devices for notes and
 * canned replies, do not get it. A relay can say this falsely too; it is only ever a withholding.
 */
export function historyFullAlert(): PlainAlert {
  return {
    kind: ARCHIVE_ALERT_KINDS.full,
    severity: ALERT_SEVERITIES.warning,
    title: "The team's history is full",
    text: "The relay keeps no more of this account's history (archive-full). Conversations stay on the devices that showed them, but new messages, notes and canned replies no longer reach devices linked later or the team's other devices. Ask whoever runs the relay to raise its history limit.",
  };
}

/**
 * One `history-sync-failed` alert per failure, not one per attempt: the same failure again (the same
 * error code) is not said again until a sync succeeds. Syncs retry from several places (start,
 * every listing of the conversations, nudges, team changes); each used to raise its own copy.
 */
export class SyncFailures {
  #failing: string | undefined;

  /** The alert to raise for this failure, or undefined when the same one was raised already. */
  failed(error: SealdeskError): PlainAlert | undefined {
    if (this.#failing === error.code) return undefined;
    this.#failing = error.code;
    return archiveAlert('sync', error);
  }

  succeeded(): void {
    this.#failing = undefined;
  }
}
