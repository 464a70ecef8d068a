/**
 * The inbox archive part of the in-memory store (PROTOCOL §9): grants per (account, device) and
 * write-once history records per account, each table with its own increasing cursor.
 */
import type { ArchiveGrantRow, HistoryPutResult, HistoryRecordRow, LimitedResult } from './store.js';

const deviceKey = (accountId: string, deviceId: string): string => `${accountId}:${deviceId}`;

export class MemoryArchive {
  readonly #grants = new Map<string, ArchiveGrantRow[]>();
  readonly #records = new Map<string, HistoryRecordRow[]>();
  #grantSeq = 0;
  #recordSeq = 0;

  putGrant(accountId: string, deviceId: string, blob: Uint8Array, max: number): LimitedResult {
    const key = deviceKey(accountId, deviceId);
    const rows = this.#grants.get(key) ?? [];
    if (rows.length >= max) return { ok: false, count: rows.length };
    this.#grantSeq += 1;
    rows.push({ seq: this.#grantSeq, blob: blob.slice() });
    this.#grants.set(key, rows);
    return { ok: true, count: rows.length };
  }

  grants(accountId: string, deviceId: string, after: number, limit: number): ArchiveGrantRow[] {
    const rows = this.#grants.get(deviceKey(accountId, deviceId)) ?? [];
    return rows.filter((r) => r.seq > after).slice(0, limit);
  }

  forgetDevice(accountId: string, deviceId: string): void {
    this.#grants.delete(deviceKey(accountId, deviceId));
  }

  putRecord(accountId: string, author: string, recordId: string, blob: Uint8Array, max: number): HistoryPutResult {
    const rows = this.#records.get(accountId) ?? [];
    if (rows.some((r) => r.author === author && r.recordId === recordId)) return 'taken';
    if (rows.length >= max) return 'full';
    this.#recordSeq += 1;
    rows.push({ seq: this.#recordSeq, author, recordId, blob: blob.slice() });
    this.#records.set(accountId, rows);
    return 'stored';
  }

  records(accountId: string, after: number, limit: number): HistoryRecordRow[] {
    return (this.#records.get(accountId) ?? []).filter((r) => r.seq > after).slice(0, limit);
  }
}
