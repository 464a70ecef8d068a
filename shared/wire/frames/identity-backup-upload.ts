/**
 * The bytes the account identity key (AIK) signs to store or replace its sealed backup at the relay
 * (docs/PROTOCOL.md §16.8). Here, not in shared/protocol, because the relay verifies it: its own
 * access control (only the AIK holder writes the slot). The client that restores the backup
 * verifies it again, under the key the backup itself opens to.
 *
 *   "sealdesk/v2/recovery/backup-upload" | 0x00 | accountId[16] | accountKey[32] | u32 len | backup
 */
import { Writer } from '../writer.js';
import type { AccountId } from '../ids.js';
import { ID_BYTES } from '../ids.js';

export const IDENTITY_BACKUP_UPLOAD_LABEL = 'sealdesk/v2/recovery/backup-upload';
/** A sealed AIK backup is 82 bytes (§11.2); the relay takes up to this many. */
export const IDENTITY_BACKUP_MAX_BYTES = 128;
const ACCOUNT_KEY_BYTES = 32;

export function identityBackupUploadMessage(
  accountId: AccountId,
  accountKey: Uint8Array,
  backup: Uint8Array,
): Uint8Array {
  const w = new Writer();
  for (const byte of new TextEncoder().encode(IDENTITY_BACKUP_UPLOAD_LABEL)) w.u8(byte);
  w.u8(0);
  w.field('accountId', () => w.fixed(accountId, ID_BYTES));
  w.field('accountKey', () => w.fixed(accountKey, ACCOUNT_KEY_BYTES));
  w.field('backup', () => w.bytes(backup, IDENTITY_BACKUP_MAX_BYTES));
  return w.finish();
}
