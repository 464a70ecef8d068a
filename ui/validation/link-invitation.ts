/**
 * The link invitation an existing device shows so a new one can link (PROTOCOL §10): the relay and
 * the existing device's link code (the typed form of its link payload, §10.2). Neither is secret;
 * the six digits both screens show are what protects linking. It is a web address of the PWA's
 * link screen, so a phone's camera app opens it; the extension takes it pasted.
 */
import { InputError } from '../errors/app-errors.js';
import { normaliseRelayUrl } from './relay-url.js';

export interface LinkInvitation {
  readonly relayUrl: string;
  /** The link code, base32 without spaces; the runtime decodes it strictly. */
  readonly code: string;
}

/** Base32 (RFC 4648 §6) of the link payload; its exact length and layout are checked by the runtime. */
const LINK_CODE = /^[a-z2-7]{16,256}$/;
const APP_PATH = '/app/';

export function linkCodeOfText(text: string): string {
  return text.replace(/[\s-]+/g, '').toLowerCase();
}

export function invitationText(invitation: LinkInvitation): string {
  return `${invitation.relayUrl}${APP_PATH}#/link?code=${linkCodeOfText(invitation.code)}`;
}

export function parseInvitation(text: string): LinkInvitation {
  const trimmed = text.trim();
  const hashAt = trimmed.indexOf('#');
  const base = hashAt < 0 ? trimmed : trimmed.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : trimmed.slice(hashAt + 1);
  const query = fragment.includes('?') ? fragment.slice(fragment.indexOf('?') + 1) : '';
  const code = linkCodeOfText(new URLSearchParams(query).get('code') ?? '');
  if (!base.endsWith(APP_PATH) || !LINK_CODE.test(code)) {
    throw new InputError(
      'invitation',
      'That is not a Sealdesk link invitation. On your other device open Team → Link a device and copy its invitation.',
    );
  }
  return { relayUrl: normaliseRelayUrl(base.slice(0, base.length - APP_PATH.length)), code };
}
