/**
 * The relay's address as a person types it. HTTPS only, except on this computer (http://localhost,
 * 127.0.0.1 or [::1]), which browsers treat as a secure context too. Returns the canonical form:
 * origin plus path, without a trailing slash, query or fragment.
 */
import { InputError } from '../errors/app-errors.js';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export function normaliseRelayUrl(input: string): string {
  const text = input.trim();
  if (text === '')
    throw new InputError('relayUrl', 'Enter the address of your relay, for example https://chat.example.com.');
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new InputError('relayUrl', 'That is not a web address. It looks like https://chat.example.com.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new InputError('relayUrl', 'Leave the user name and password out of the relay address.');
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError(
      'relayUrl',
      'The relay address must start with https:// (http:// only works for this computer).',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InputError('relayUrl', 'Leave anything after ? or # out of the relay address.');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The host-permission match pattern for a relay address (extension: optional_host_permissions). */
export function relayOriginPattern(relayUrl: string): string {
  return `${new URL(relayUrl).origin}/*`;
}
