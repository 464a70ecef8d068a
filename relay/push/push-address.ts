/**
 * Where the relay may send a push message (PROTOCOL §16.9; THREAT-MODEL, "Push endpoints"): a
 * device chooses the URL, so the address the relay connects to must be a public one. Checked on
 * the address actually connected to (a `lookup` for node:https that refuses internal addresses),
 * so a name that resolves to a private address — at registration or only later (DNS rebinding) —
 * is never reached. Loopback is allowed only with SEALDESK_PUSH_LOOPBACK_HTTP=1 (tests).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/** The address literal is loopback (127/8, ::1, or IPv4-mapped loopback). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.startsWith('[') ? address.slice(1, -1).toLowerCase() : address.toLowerCase();
  return /^127\.\d+\.\d+\.\d+$/.test(bare) || bare === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * An IPv4 or IPv6 literal the relay must not reach for a device: unspecified, loopback, private
 * (RFC 1918, RFC 6598 shared, RFC 4193 unique-local), link-local, benchmarking (RFC 2544),
 * multicast and reserved, and IPv4-mapped IPv6 (which would reach the IPv4 space).
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.startsWith('[') ? address.slice(1, -1) : address;
  const kind = isIP(bare);
  if (kind === 4) {
    const [a = 0, b = 0] = bare.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (kind === 6) {
    const lower = bare.toLowerCase();
    return (
      lower === '::' ||
      lower === '::1' ||
      /^f[cd]/.test(lower) ||
      /^fe[89ab]/.test(lower) ||
      lower.startsWith('ff') ||
      lower.startsWith('::ffff:')
    );
  }
  return false;
}

/** Refused: the push endpoint names or resolves to an address the relay must not reach. */
export class InternalPushAddressError extends Error {
  readonly code = 'EPUSHINTERNAL';
}

function allowed(address: string, allowLoopback: boolean): boolean {
  return !isInternalAddress(address) || (allowLoopback && isLoopbackAddress(address));
}

/** Every address `hostname` resolves to (an IP literal is itself). */
export async function resolveAll(hostname: string): Promise<readonly LookupAddress[]> {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const family = isIP(bare);
  if (family !== 0) return [{ address: bare, family }];
  return new Promise((resolve, reject) => {
    dnsLookup(bare, { all: true }, (error, addresses) => {
      if (error === null) resolve(addresses);
      else reject(error);
    });
  });
}

/** The first internal address `hostname` resolves to, or undefined (a name that does not resolve: undefined). */
export async function internalAddressOf(hostname: string, allowLoopback: boolean): Promise<string | undefined> {
  let addresses: readonly LookupAddress[];
  try {
    addresses = await resolveAll(hostname);
  } catch {
    return undefined; // not resolvable now: the send-time lookup checks again
  }
  return addresses.find((a) => !allowed(a.address, allowLoopback))?.address;
}

/**
 * A `lookup` for node:http(s) that fails the connection when any resolved address is internal, so
 * the address connected to is the address checked (no second resolution in between).
 */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { family: options.family ?? 0, hints: options.hints ?? 0, all: true }, (error, addresses) => {
      if (error !== null) {
        callback(error, '', 0);
        return;
      }
      const refused = addresses.find((a) => !allowed(a.address, allowLoopback));
      if (refused !== undefined || addresses.length === 0) {
        callback(new InternalPushAddressError(`push endpoint ${hostname} resolves to an internal address`), '', 0);
        return;
      }
      const [first] = addresses;
      if (options.all === true) callback(null, addresses);
      else callback(null, first?.address ?? '', first?.family ?? 4);
    });
  };
}
