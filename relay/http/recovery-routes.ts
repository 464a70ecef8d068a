/**
 * The account's sealed AIK backup (docs/PROTOCOL.md §11.2, §16.8): ciphertext under a key from the
 * recovery key, which the relay never sees, so the relay cannot open it. The relay keeps it for
 * availability and hands it only to the account's password login.
 *
 *   PUT /v1/accounts/:a/identity-backup  {backup, accountKey, signature}  -> {stored: true}
 *   GET /v1/accounts/:a/identity-backup  -> {backup, accountKey, signature}; 404 when none
 *
 * PUT: an owner session of the account (password login or owner device) and an Ed25519 signature
 * by `accountKey` over identityBackupUploadMessage; the first upload (at account creation, before
 * the first device list) binds the slot to that key, and only the same key replaces it
 * (409 backup-key-mismatch). GET: only a session from an OPAQUE login of this account (a device
 * session is refused: the backup is for a person who has lost every device).
 */
import {
  asAccountId,
  IDENTITY_BACKUP_MAX_BYTES,
  idBytesFromHex,
  identityBackupUploadMessage,
} from '../../shared/wire/index.js';
import { ED25519_PUBLIC_KEY_BYTES, verifyEd25519 } from '../auth/device-signature.js';
import { mayPublishDeviceList } from '../auth/roles.js';
import { toBase64Url } from '../auth/tokens.js';
import { HttpError } from '../errors.js';
import { requireAccount, requireRole } from './access.js';
import { bytesField, readJson } from './body.js';
import { sendJson } from './respond.js';
import { ID, type Route, param, route } from './router.js';

const MAX_JSON = 1024;

export const recoveryRoutes: readonly Route[] = [
  route('PUT', `/v1/accounts/${ID}/identity-backup`, async ({ req, res, ctx, params }) => {
    const accountId = param(params, 0);
    const caller = await requireAccount(ctx, req, accountId);
    requireRole(
      caller,
      mayPublishDeviceList(caller),
      'store the account key backup (only owners hold the account key)',
    );
    const body = await readJson(req, MAX_JSON);
    const backup = bytesField(body, 'backup', { max: IDENTITY_BACKUP_MAX_BYTES });
    const accountKey = bytesField(body, 'accountKey', { exact: ED25519_PUBLIC_KEY_BYTES });
    const signature = bytesField(body, 'signature', { exact: 64 });
    if (backup.length === 0) throw new HttpError(400, 'bad-request', '"backup" must not be empty');
    const message = identityBackupUploadMessage(asAccountId(idBytesFromHex(accountId)), accountKey, backup);
    if (!(await verifyEd25519(accountKey, signature, message)))
      throw new HttpError(400, 'bad-signature', 'the backup upload is not signed by the account key it names');
    if (!(await ctx.store.putIdentityBackup(accountId, { backup, accountKey, signature }, ctx.now())))
      throw new HttpError(
        409,
        'backup-key-mismatch',
        'this account holds a backup stored under another account key; only that key may replace it',
      );
    ctx.log.info('identity-backup.stored', { accountId });
    sendJson(res, 200, { stored: true });
  }),

  route('GET', `/v1/accounts/${ID}/identity-backup`, async ({ req, res, ctx, params }) => {
    const accountId = param(params, 0);
    const caller = await requireAccount(ctx, req, accountId);
    if (caller.deviceId !== null)
      throw new HttpError(
        403,
        'password-login-required',
        'log in with the account password (OPAQUE) to fetch the backup',
      );
    const held = await ctx.store.getIdentityBackup(accountId);
    if (held === undefined) throw new HttpError(404, 'not-found', 'this account has stored no account key backup');
    sendJson(res, 200, {
      backup: toBase64Url(held.backup),
      accountKey: toBase64Url(held.accountKey),
      signature: toBase64Url(held.signature),
    });
  }),
];
