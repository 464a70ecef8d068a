/**
 * The bytes an enrolled device signs with its Ed25519 device key to authenticate to the relay
 * (docs/PROTOCOL.md §16.5). The label separates this signature from every protocol signature;
 * the account and device ids bind it to one device; the challenge is fresh per connection.
 * This is relay access control only: clients never trust the relay because of it.
 *
 *   "sealdesk/relay-auth/v1" | 0x00 | challenge[32] | accountId[16] | deviceId[16]
 */
import { Writer } from '../writer.js';
import type { AccountId, DeviceId } from '../ids.js';
import { ID_BYTES } from '../ids.js';
import { CHALLENGE_BYTES } from './relay-frames.js';

export const DEVICE_AUTH_LABEL = 'sealdesk/relay-auth/v1';

export function deviceAuthMessage(challenge: Uint8Array, accountId: AccountId, deviceId: DeviceId): Uint8Array {
  const w = new Writer();
  for (const byte of new TextEncoder().encode(DEVICE_AUTH_LABEL)) w.u8(byte);
  w.u8(0);
  w.field('challenge', () => w.fixed(challenge, CHALLENGE_BYTES));
  w.field('accountId', () => w.fixed(accountId, ID_BYTES));
  w.field('deviceId', () => w.fixed(deviceId, ID_BYTES));
  return w.finish();
}
