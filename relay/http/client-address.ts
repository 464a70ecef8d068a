/**
 * Who a visitor is, for the per-address limits (new conversations, login attempts, connections
 * waiting for their hello): the TCP peer, or, behind SEALDESK_TRUSTED_PROXIES reverse proxies, the
 * address the outermost of them saw (docs/OPERATIONS.md, "Behind a reverse proxy"). Each trusted
 * proxy appends the address it received the request from to X-Forwarded-For, so with N of them
 * the client is the Nth entry from the right; entries further left were written by the client and
 * are never used.
 */
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** The parts of a request the address is read from. */
export interface AddressedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

export function clientAddress(req: AddressedRequest, trustedProxies: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  // Node joins repeated X-Forwarded-For headers with ", " already; an array is handled the same.
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text === undefined) return peer;
  const hops = text.split(',').map((hop) => hop.trim());
  const client = hops[hops.length - trustedProxies];
  // Fewer entries than proxies, or not an address: the request did not come through all of them.
  return client !== undefined && isIP(client) !== 0 ? client : peer;
}

/**
 * The key an address is counted under: an IPv4 address by itself (also when written as
 * IPv4-mapped IPv6), an IPv6 address by its /64, since one subscriber usually holds a whole /64
 * and could otherwise open conversations from 2^64 addresses.
 */
export function addressKey(address: string): string {
  const bare = address.split('%')[0] ?? address;
  if (isIP(bare) === 4) return bare;
  if (isIP(bare) !== 6) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] !== undefined) return mapped[1];
  return `${expandIpv6(bare).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of a valid IPv6 address, lower-case without leading zeros. */
function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const part = (text: string): string[] => (text === '' ? [] : text.split(':'));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  // An embedded IPv4 tail (e.g. 64:ff9b::1.2.3.4) stands for two hextets.
  const last = right.length > 0 ? right : left;
  const v4 = last.at(-1) ?? '';
  if (v4.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
    last.splice(last.length - 1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const zeros = new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...(tail === undefined ? [] : zeros), ...right].map((h) => Number.parseInt(h, 16).toString(16));
}
