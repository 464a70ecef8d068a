/**
 * The account's sealed AIK backup at the relay (PROTOCOL §11.2, §16.8; docs/OPERATIONS.md "HTTP
 * API"). The blob and its signature are opaque here: shared/runtime signs the upload with the
 * account key and, when restoring, checks the AEAD and the signature itself.
 */
import { toBase64Url } from '../../crypto/index.js';
import { type AccountId, idToHex } from '../../wire/index.js';
import type { CallOptions, RelayAuth, RelayRequester } from './relay-request.js';
import { bytesField } from './response-fields.js';

const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

/** What the account key signed (identityBackupUploadMessage) and the relay keeps. */
export interface IdentityBackupUpload {
  readonly backup: Uint8Array;
  readonly accountKey: Uint8Array;
  readonly signature: Uint8Array;
}

const path = (a: AccountId): string => `/v1/accounts/${idToHex(a)}/identity-backup`;

export class RecoveryApi {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    this.#http = http;
  }

  /** Stores or replaces the backup (an owner session; ConflictError `backup-key-mismatch` for another key). */
  async putIdentityBackup(
    accountId: AccountId,
    upload: IdentityBackupUpload,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<void> {
    await this.#http.request(
      {
        method: 'PUT',
        path: path(accountId),
        what: 'store the account key backup',
        auth,
        json: {
          backup: toBase64Url(upload.backup),
          accountKey: toBase64Url(upload.accountKey),
          signature: toBase64Url(upload.signature),
        },
      },
      call,
    );
  }

  /** The backup, for a password login session (NotFoundError when the account stored none). */
  async getIdentityBackup(accountId: AccountId, auth: RelayAuth, call?: CallOptions): Promise<IdentityBackupUpload> {
    const what = 'fetch the account key backup';
    const body = await this.#http.json({ method: 'GET', path: path(accountId), what, auth }, call);
    return {
      backup: bytesField(body, 'backup', what),
      accountKey: bytesField(body, 'accountKey', what, ED25519_KEY_BYTES),
      signature: bytesField(body, 'signature', what, ED25519_SIGNATURE_BYTES),
    };
  }
}
