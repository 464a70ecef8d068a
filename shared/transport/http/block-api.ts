/**
 * The per-visitor block list over HTTP (PROTOCOL §16.10, docs/OPERATIONS.md "HTTP API"): a session
 * of the conversation's account blocks or unblocks its visitor and lists what it blocked.
 */
import { type AccountId, type ConversationId, idToHex } from '../../wire/index.js';
import { BadResponseError } from '../relay-errors.js';
import type { CallOptions, RelayAuth, RelayRequester } from './relay-request.js';
import { conversationIdField, numberField } from './response-fields.js';

export interface BlockedConversation {
  readonly conversationId: ConversationId;
  /** When the relay recorded the block (ms since the epoch, the relay's clock). */
  readonly blockedAt: number;
}

/** The longest list read back (a relay answering more is not believed). */
const MAX_BLOCKED = 100_000;

export class BlockApi {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    this.#http = http;
  }

  async block(conversationId: ConversationId, auth: RelayAuth, call?: CallOptions): Promise<void> {
    const path = `/v1/conversations/${idToHex(conversationId)}/block`;
    await this.#http.request({ method: 'POST', path, what: 'block the visitor', auth }, call);
  }

  /** NotFoundError `not-blocked` when it was not blocked. */
  async unblock(conversationId: ConversationId, auth: RelayAuth, call?: CallOptions): Promise<void> {
    const path = `/v1/conversations/${idToHex(conversationId)}/block`;
    await this.#http.request({ method: 'DELETE', path, what: 'unblock the visitor', auth }, call);
  }

  async list(accountId: AccountId, auth: RelayAuth, call?: CallOptions): Promise<BlockedConversation[]> {
    const what = 'list the blocked visitors';
    const body = await this.#http.json(
      { method: 'GET', path: `/v1/accounts/${idToHex(accountId)}/blocked`, what, auth },
      call,
    );
    const list = body['blocked'];
    if (!Array.isArray(list) || list.length > MAX_BLOCKED)
      throw new BadResponseError(`${what}: the relay's answer lacks the list "blocked"`);
    return list.map((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        throw new BadResponseError(`${what}: an entry of "blocked" is not an object`);
      const fields = entry as Readonly<Record<string, unknown>>;
      return {
        conversationId: conversationIdField(fields, 'conversationId', what),
        blockedAt: numberField(fields, 'blockedAt', what),
      };
    });
  }
}
