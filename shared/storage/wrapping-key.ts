/**
 * The database's storage wrapping key (shared/crypto/x25519-wrap.ts): a non-extractable AES-GCM
 * CryptoKey and its id, kept as the record `wrappingKey`, made by the first step that stores an X25519 private
 * key and written in that step's transaction. Never replaced: a step that finds one already stored
 * (another tab made it first) fails and the next step uses the stored one.
 */
import { type StorageWrappingKey, generateStorageWrappingKey, isStorageWrappingKey } from '../crypto/index.js';
import type { BackendOp, StoreBackend } from './backend.js';
import { openRecord, record, recordKey } from './records.js';
import { StorageCorruptError, StorageWriteError, WRITE_FAILURES } from './storage-errors.js';

const KEY = recordKey('wrappingKey');

export class WrappingKeys {
  readonly #backend: StoreBackend;
  #stored: StorageWrappingKey | undefined;
  /** Made for a step not yet durable; reused by the next step if that one failed. */
  #pending: StorageWrappingKey | undefined;

  constructor(backend: StoreBackend) {
    this.#backend = backend;
  }

  /** The stored wrapping key, or undefined when the database has none yet. */
  async stored(): Promise<StorageWrappingKey | undefined> {
    if (this.#stored !== undefined) return this.#stored;
    const raw = await this.#backend.get(KEY);
    if (raw === undefined) return undefined;
    const key = openRecord(raw, KEY, 'wrappingKey');
    if (!isStorageWrappingKey(key))
      throw new StorageCorruptError(`${KEY}: not an AES-GCM wrapping key with its id`, KEY);
    this.#stored = key;
    return key;
  }

  /** The key a step wraps under, and the op that stores it when it is new (same transaction). */
  async forStep(): Promise<{ readonly key: StorageWrappingKey; readonly op?: BackendOp }> {
    const stored = await this.stored();
    if (stored !== undefined) return { key: stored };
    this.#pending ??= await generateStorageWrappingKey();
    const key = this.#pending;
    const made = record('wrappingKey', key);
    const op: BackendOp = {
      op: 'update',
      key: KEY,
      update: (existing) => {
        if (existing !== undefined) {
          throw new StorageWriteError(
            `${KEY}: another connection stored the wrapping key first; nothing of the step was written`,
            WRITE_FAILURES.aborted,
          );
        }
        return made;
      },
    };
    return { key, op };
  }

  /** After a step that carried `forStep`'s op is durable. */
  committed(key: StorageWrappingKey): void {
    if (key === this.#pending) {
      this.#stored = key;
      this.#pending = undefined;
    }
  }
}
