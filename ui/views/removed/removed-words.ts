/** The removed-device page's words (PROTOCOL §4.8): where the account lives and when the removal was signed. */
import type { DeviceRemoval } from '../../../shared/runtime/index.js';
import { fullTime } from '../../format/time.js';

/** The relay's host name ("chat.example.com"), the account's place a person recognises; undefined if unknown. */
function relayHostOf(relayUrl: string | undefined): string | undefined {
  if (relayUrl === undefined) return undefined;
  try {
    return new URL(relayUrl).host;
  } catch {
    return undefined;
  }
}

/**
 * "Corner Shop's Sealdesk account at chat.example.com": whose account (the business's name as the
 * device last had it, else "your team's") and the relay's host, if known.
 */
export function removedFrom(removal: DeviceRemoval, relayUrl: string | undefined): string {
  const whose = removal.businessName === undefined ? "your team's" : `${removal.businessName}'s`;
  const host = relayHostOf(relayUrl);
  return `${whose} Sealdesk account${host === undefined ? '' : ` at ${host}`}`;
}

/** "on 7 Dec 2026, 05:03": when the owner signed the list without this device, if known. */
export function removedWhen(removal: DeviceRemoval, locale?: string): string | undefined {
  return removal.at === undefined ? undefined : `on ${fullTime(removal.at, locale)}`;
}
