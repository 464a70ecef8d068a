/**
 * Which push endpoints a device may register (PROTOCOL §16.9). The relay POSTs to the URL a device
 * gives it, so the URL is held to what a browser's push service hands out: https, no credentials,
 * no fragment, at most MAX_ENDPOINT_CHARS, and not an IP literal of this machine or a private
 * network (a host name that resolves to one is not caught here: run the relay where it cannot
 * reach what it must not, docs/THREAT-MODEL.md). Plain http on a loopback address only with
 * SEALDESK_PUSH_LOOPBACK_HTTP=1, for a local push service in tests and development.
 */
import { isIP } from 'node:net';
import { HttpError } from '../errors.js';

export const MAX_ENDPOINT_CHARS = 1024;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** An IPv4 or IPv6 literal in a loopback, private, link-local, unspecified or unique-local range. */
function isInternalAddress(hostname: string): boolean {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
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
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (kind === 6) {
    const lower = bare.toLowerCase();
    return (
      lower === '::' ||
      lower === '::1' ||
      /^f[cd]/.test(lower) ||
      /^fe[89ab]/.test(lower) ||
      lower.startsWith('::ffff:')
    );
  }
  return false;
}

function refuse(message: string): never {
  throw new HttpError(400, 'bad-push-endpoint', message);
}

/** The endpoint as given, or 400 `bad-push-endpoint` saying what is wrong with it. */
export function checkPushEndpoint(value: unknown, allowLoopbackHttp: boolean): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ENDPOINT_CHARS)
    refuse(`"endpoint" must be a URL of at most ${MAX_ENDPOINT_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    refuse('"endpoint" must be an absolute URL');
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '')
    refuse('"endpoint" must not carry credentials or a fragment');
  if (url.protocol === 'http:') {
    if (!allowLoopbackHttp || !isLoopback(url.hostname))
      refuse('"endpoint" must be an https: URL (plain http only on loopback with SEALDESK_PUSH_LOOPBACK_HTTP=1)');
    return value;
  }
  if (url.protocol !== 'https:') refuse('"endpoint" must be an https: URL');
  if (url.hostname === 'localhost' || isInternalAddress(url.hostname))
    refuse('"endpoint" must not name this machine or a private network');
  return value;
}
