/**
 * Typed errors of the client storage layer. A UI can switch on `code`; `key` names the record
 * (kind and id, never its contents). A record that cannot be read is never replaced or skipped
 * silently: reads throw, and a commit that would overwrite it throws, leaving it in place.
 */
import { SealdeskError } from '../errors/index.js';

/** The base of every storage failure. */
export abstract class StorageError extends SealdeskError {}

/** A record (or the database) was written by a newer build: its schema version is unknown here. */
export class StorageSchemaError extends StorageError {
  readonly code = 'storage-schema';
  /** The record's key, or undefined when the whole database is too new. */
  readonly key: string | undefined;

  constructor(message: string, key: string | undefined, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.key = key;
  }
}

/** A record that does not have the shape its kind requires (damaged, or written by a bug). */
export class StorageCorruptError extends StorageError {
  readonly code = 'storage-corrupt';
  readonly key: string;

  constructor(message: string, key: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.key = key;
  }
}

export const WRITE_FAILURES = {
  /** The browser's storage quota is used up. */
  quota: 'quota',
  /** A value cannot be stored by structured clone (a function, a DOM node …): a programming error. */
  unserialisable: 'unserialisable',
  /** The transaction was aborted (by the engine, or a version change from another tab). */
  aborted: 'aborted',
  /** Any other engine failure. */
  failed: 'failed',
} as const;
export type WriteFailure = (typeof WRITE_FAILURES)[keyof typeof WRITE_FAILURES];

/** A commit failed: nothing of its step was written. */
export class StorageWriteError extends StorageError {
  readonly code = 'storage-write';
  readonly reason: WriteFailure;

  constructor(message: string, reason: WriteFailure, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** The database cannot be opened or used (no IndexedDB, blocked by another tab, closed). */
export class StorageUnavailableError extends StorageError {
  readonly code = 'storage-unavailable';
}
