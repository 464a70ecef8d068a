/**
 * The relay's AIK backup slot (PROTOCOL §16.8) against a real relay process: only an owner session
 * of the account with the account key's signature writes it, only that key replaces it, and only
 * the account's password login reads it (not another account, not a device session, not anyone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAccountId, idBytesFromHex, identityBackupUploadMessage } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import {
  type Account,
  b64,
  bearer,
  credentials,
  enrolDevice,
  http,
  registerAndLogin,
  relayHttp,
} from './support/relay-api.js';

interface Upload {
  readonly backup: string;
  readonly accountKey: string;
  readonly signature: string;
}

/** An upload signed by a fresh Ed25519 key (the test's stand-in for the AIK; the relay only checks the signature). */
async function signedUpload(
  accountId: string,
  backup: Uint8Array,
): Promise<{ upload: Upload; sign: (b: Uint8Array) => Promise<Upload> }> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const accountKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const sign = async (b: Uint8Array): Promise<Upload> => {
    const message = identityBackupUploadMessage(asAccountId(idBytesFromHex(accountId)), accountKey, b);
    const signature = new Uint8Array(
      await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, new Uint8Array(message)),
    );
    return { backup: b64(b), accountKey: b64(accountKey), signature: b64(signature) };
  };
  return { upload: await sign(backup), sign };
}

describe('AIK backup slot at the relay (PROTOCOL §16.8)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;
  let other: Account;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    account = await registerAndLogin(relay.origin, `backup-${crypto.randomUUID()}`);
    other = await registerAndLogin(relay.origin, `backup-${crypto.randomUUID()}`);
  }, 60_000);

  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  const path = (a: Account): string => `/v1/accounts/${a.accountId}/identity-backup`;

  it('stores a signed upload once bound to its key; refuses others, bad signatures and strangers', async () => {
    expect((await http(relay.origin, 'GET', path(account), { headers: bearer(account) })).status).toBe(404);
    const { upload, sign } = await signedUpload(account.accountId, new Uint8Array(82).fill(7));
    expect((await http(relay.origin, 'PUT', path(account), { json: upload })).status).toBe(401);
    const stranger = await http(relay.origin, 'PUT', path(account), { json: upload, headers: bearer(other) });
    expect(stranger.status).toBe(403);
    const forged = { ...upload, backup: b64(new Uint8Array(82).fill(8)) };
    const bad = await http(relay.origin, 'PUT', path(account), { json: forged, headers: bearer(account) });
    expect([bad.status, bad.json['error']]).toEqual([400, 'bad-signature']);
    expect((await http(relay.origin, 'PUT', path(account), { json: upload, headers: bearer(account) })).status).toBe(
      200,
    );
    // The same key replaces it; another key cannot take the slot over.
    const replaced = await sign(new Uint8Array(82).fill(9));
    expect((await http(relay.origin, 'PUT', path(account), { json: replaced, headers: bearer(account) })).status).toBe(
      200,
    );
    const intruder = (await signedUpload(account.accountId, new Uint8Array(82).fill(1))).upload;
    const taken = await http(relay.origin, 'PUT', path(account), { json: intruder, headers: bearer(account) });
    expect([taken.status, taken.json['error']]).toEqual([409, 'backup-key-mismatch']);

    const read = await http(relay.origin, 'GET', path(account), { headers: bearer(account) });
    expect([read.status, read.json]).toEqual([200, replaced]);
  }, 30_000);

  it('hands the backup only to the password login of its account', async () => {
    expect((await http(relay.origin, 'GET', path(account))).status).toBe(401);
    expect((await http(relay.origin, 'GET', path(account), { headers: bearer(other) })).status).toBe(403);
    const device = await enrolDevice(relay.origin, account);
    const session = await relayHttp(relay.origin).auth.deviceSession(credentials(device));
    const byDevice = await http(relay.origin, 'GET', path(account), {
      headers: { authorization: `Bearer ${session.sessionToken}` },
    });
    expect([byDevice.status, byDevice.json['error']]).toEqual([403, 'password-login-required']);
    expect((await http(relay.origin, 'GET', path(account), { headers: bearer(account) })).status).toBe(200);
    expect((await http(relay.origin, 'GET', path(other), { headers: bearer(other) })).status).toBe(404);
  }, 30_000);
});
