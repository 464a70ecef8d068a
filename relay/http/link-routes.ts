/**
 * The device-linking mailbox (issue #11 item 3, PROTOCOL §10.1): the channel through which a new
 * device and an existing one exchange the link hello, offer and grant.
 *
 *   PUT /v1/links/:linkId/(hello|offer|grant)   raw message (≤ 8 KiB) -> 201; 409 slot-taken
 *   GET /v1/links/:linkId/(hello|offer|grant)   raw message, or 404 not-yet
 *
 * No account is needed: the new device has none yet. The link id is 16 random bytes from the
 * existing device's QR code; the messages are protected by the protocol itself (commit-then-reveal and
 * the compared code, §10.3), so a relay that reads or swaps them learns nothing and is caught.
 * Each slot is written once. Kept in this process's memory only, for 10 minutes, at most 10,000
 * links (a link in progress is lost on restart or on another node of a cluster: linking starts again).
 */
import { HttpError } from '../errors.js';
import { readBytes } from './body.js';
import { sendBytes, sendJson } from './respond.js';
import { ID, type Route, param, route } from './router.js';

const SLOTS = '(hello|offer|grant)';
const MAX_MESSAGE_BYTES = 8 * 1024;
const TTL_MS = 10 * 60_000;
const MAX_LINKS = 10_000;

interface Mailbox {
  readonly createdAt: number;
  readonly slots: Map<string, Uint8Array>;
}

const mailboxes = new Map<string, Mailbox>();

function sweep(now: number): void {
  for (const [id, box] of mailboxes) {
    if (now - box.createdAt < TTL_MS) break; // insertion order = creation order
    mailboxes.delete(id);
  }
}

export const linkRoutes: readonly Route[] = [
  route('PUT', `/v1/links/${ID}/${SLOTS}`, async ({ req, res, ctx, params }) => {
    const now = ctx.now();
    sweep(now);
    const linkId = param(params, 0);
    const slot = param(params, 1);
    const message = await readBytes(req, MAX_MESSAGE_BYTES);
    if (message.length === 0) throw new HttpError(400, 'bad-request', 'the link message must not be empty');
    let box = mailboxes.get(linkId);
    if (box === undefined) {
      if (mailboxes.size >= MAX_LINKS) throw new HttpError(503, 'busy', 'too many links in progress; try again soon');
      box = { createdAt: now, slots: new Map() };
      mailboxes.set(linkId, box);
    }
    if (box.slots.has(slot)) throw new HttpError(409, 'slot-taken', `this link's ${slot} was sent already`);
    box.slots.set(slot, message);
    sendJson(res, 201, { stored: true });
  }),

  route('GET', `/v1/links/${ID}/${SLOTS}`, ({ res, ctx, params }) => {
    sweep(ctx.now());
    const message = mailboxes.get(param(params, 0))?.slots.get(param(params, 1));
    if (message === undefined) throw new HttpError(404, 'not-yet', 'nothing was sent in this slot yet');
    sendBytes(res, 200, message);
    return Promise.resolve();
  }),
];
