/**
 * The device-linking mailbox over HTTP (docs/OPERATIONS.md "HTTP API", PROTOCOL §10.1): each link
 * (16-byte id from the existing device's code) has three write-once slots. The messages are opaque here;
 * shared/protocol/linking checks every one.
 */
import { toHex } from '../../crypto/index.js';
import { NotFoundError } from '../relay-errors.js';
import type { CallOptions, RelayRequester } from './relay-request.js';

export type LinkSlot = 'hello' | 'offer' | 'grant';

export class LinkApi {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    this.#http = http;
  }

  /** Writes a slot once (ConflictError `slot-taken`). */
  async put(linkId: Uint8Array, slot: LinkSlot, message: Uint8Array, call?: CallOptions): Promise<void> {
    await this.#http.request(
      { method: 'PUT', path: `/v1/links/${toHex(linkId)}/${slot}`, what: `send the link ${slot}`, bytes: message },
      call,
    );
  }

  /** The slot's message, or undefined while nothing was sent. */
  async get(linkId: Uint8Array, slot: LinkSlot, call?: CallOptions): Promise<Uint8Array | undefined> {
    try {
      const response = await this.#http.request(
        { method: 'GET', path: `/v1/links/${toHex(linkId)}/${slot}`, what: `fetch the link ${slot}` },
        call,
      );
      return response.bytes;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }
}
