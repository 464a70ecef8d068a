/**
 * The link invitation an existing device shows so a new one knows where to link: the relay and the
 * account id (neither is secret; the short code both screens show is what protects linking,
 * PROTOCOL §10). It is a web address of the PWA's link screen, so a phone's camera app opens it.
 */
import { InputError } from '../errors/app-errors.js';
import { normaliseRelayUrl } from './relay-url.js';

export interface LinkInvitation {
  readonly relayUrl: string;
  readonly accountId: string;
}

const ACCOUNT_ID = /^[0-9a-f]{32}$/;
const APP_PATH = '/app/';

export function invitationText(invitation: LinkInvitation): string {
  return `${invitation.relayUrl}${APP_PATH}#/link?account=${invitation.accountId}`;
}

export function parseInvitation(text: string): LinkInvitation {
  const trimmed = text.trim();
  const hashAt = trimmed.indexOf('#');
  const base = hashAt < 0 ? trimmed : trimmed.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : trimmed.slice(hashAt + 1);
  const query = fragment.includes('?') ? fragment.slice(fragment.indexOf('?') + 1) : '';
  const accountId = new URLSearchParams(query).get('account')?.toLowerCase() ?? '';
  if (!base.endsWith(APP_PATH) || !ACCOUNT_ID.test(accountId)) {
    throw new InputError(
      'invitation',
      'That is not a Sealdesk link invitation. On your other device open Team → Link a device and copy its invitation.',
    );
  }
  return { relayUrl: normaliseRelayUrl(base.slice(0, base.length - APP_PATH.length)), accountId };
}
