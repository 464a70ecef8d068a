/**
 * Conversations and attachments over HTTP (docs/OPERATIONS.md "HTTP API"). A visitor opens a
 * conversation with its own random id (PROTOCOL §2.4) and gets the capability once; attachments
 * are opaque encrypted blobs (PROTOCOL §8) sent with the capability or an account session.
 */
import { CAPABILITY_BYTES, type AccountId, type ConversationId, idToHex } from '../../wire/index.js';
import { BadResponseError } from '../relay-errors.js';
import type { CallOptions, RelayAuth, RelayRequester } from './relay-request.js';
import { bytesField, conversationIdField, stringField } from './response-fields.js';

/** Default cap of a downloaded attachment (the relay's own default limit is 25 MB). */
const DEFAULT_MAX_ATTACHMENT = 64 * 1024 * 1024;
const ATTACHMENT_ID = /^[0-9a-f]{32}$/;

export interface DownloadOptions extends CallOptions {
  /** Largest attachment accepted (default 64 MiB). */
  readonly maxBytes?: number;
}

/** What a visitor does with its conversation: open it, and put and get its attachments with the capability. */
export class VisitorConversationApi {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    this.#http = http;
  }

  /**
   * Opens conversation `conversationId` (the client's random id) with the account; returns the
   * capability, shown only this once. ConflictError `conversation-exists`, RateLimitedError.
   */
  async open(accountId: AccountId, conversationId: ConversationId, call?: CallOptions): Promise<Uint8Array> {
    const what = 'open the conversation';
    const body = await this.#http.json(
      {
        method: 'POST',
        path: `/v1/accounts/${idToHex(accountId)}/conversations`,
        what,
        json: { conversationId: idToHex(conversationId) },
      },
      call,
    );
    if (idToHex(conversationIdField(body, 'conversationId', what)) !== idToHex(conversationId)) {
      throw new BadResponseError(`${what}: the relay opened another conversation id than the one asked for`);
    }
    return bytesField(body, 'capability', what, CAPABILITY_BYTES);
  }

  /**
   * Stores an encrypted attachment under the id its reference binds in (PROTOCOL §8.2): the id is
   * the sender's, chosen before sealing. ConflictError `attachment-exists`, TooLargeError.
   */
  async putAttachment(
    conversationId: ConversationId,
    attachmentId: string,
    blob: Uint8Array,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<void> {
    const what = 'upload the attachment';
    if (!ATTACHMENT_ID.test(attachmentId)) throw new BadResponseError(`${what}: not an attachment id`);
    await this.#http.request(
      {
        method: 'PUT',
        path: `/v1/conversations/${idToHex(conversationId)}/attachments/${attachmentId}`,
        what,
        auth,
        bytes: blob,
      },
      call,
    );
  }

  async downloadAttachment(
    conversationId: ConversationId,
    attachmentId: string,
    auth: RelayAuth,
    options: DownloadOptions = {},
  ): Promise<Uint8Array> {
    const what = 'download the attachment';
    if (!ATTACHMENT_ID.test(attachmentId)) throw new BadResponseError(`${what}: not an attachment id`);
    const response = await this.#http.request(
      {
        method: 'GET',
        path: `/v1/conversations/${idToHex(conversationId)}/attachments/${attachmentId}`,
        what,
        auth,
        maxResponseBytes: options.maxBytes ?? DEFAULT_MAX_ATTACHMENT,
      },
      options,
    );
    return response.bytes;
  }
}

/** Conversations as an agent device uses them: the visitor's calls, and deleting and POSTed attachments. */
export class ConversationApi extends VisitorConversationApi {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    super(http);
    this.#http = http;
  }

  /** Deletes the conversation's queued envelopes and attachments (account session). */
  async delete(conversationId: ConversationId, auth: RelayAuth, call?: CallOptions): Promise<void> {
    await this.#http.request(
      { method: 'DELETE', path: `/v1/conversations/${idToHex(conversationId)}`, what: 'delete the conversation', auth },
      call,
    );
  }

  /** Stores an encrypted attachment; returns its id (TooLargeError `too-large` / `quota-exceeded`). */
  async uploadAttachment(
    conversationId: ConversationId,
    blob: Uint8Array,
    auth: RelayAuth,
    call?: CallOptions,
  ): Promise<string> {
    const what = 'upload the attachment';
    const body = await this.#http.json(
      { method: 'POST', path: `/v1/conversations/${idToHex(conversationId)}/attachments`, what, auth, bytes: blob },
      call,
    );
    const id = stringField(body, 'attachmentId', what, 32);
    if (!ATTACHMENT_ID.test(id)) throw new BadResponseError(`${what}: the attachment id is not 32 hex digits`);
    return id;
  }
}
