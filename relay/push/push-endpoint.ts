/**
 * Which push endpoints a device may register (PROTOCOL §16.9). The relay POSTs to the URL a device
 * gives it, so the URL is held to what a browser's push service hands out: https, no credentials,
 * no fragment, at most MAX_ENDPOINT_CHARS, and not an address of this machine or a private
 * network: neither as an IP literal nor as a name that resolves to one (checked again on every
 * send, on the address connected to: push-address.ts). Plain http on a loopback address only with
 * SEALDESK_PUSH_LOOPBACK_HTTP=1, for a local push service in tests and development.
 */
import { HttpError } from '../errors.js';
import { internalAddressOf, isInternalAddress } from './push-address.js';

export const MAX_ENDPOINT_CHARS = 1024;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
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

/**
 * The endpoint's host name must not resolve to an internal address (400 `bad-push-endpoint`). A
 * name that does not resolve now is taken: the relay's send-time lookup refuses it later if needed.
 */
export async function refuseInternalEndpoint(endpoint: string, allowLoopbackHttp: boolean): Promise<void> {
  const url = new URL(endpoint);
  const loopbackAllowed = allowLoopbackHttp && url.protocol === 'http:';
  const internal = await internalAddressOf(url.hostname, loopbackAllowed);
  if (internal !== undefined) refuse('"endpoint" resolves to an address of this machine or a private network');
}
