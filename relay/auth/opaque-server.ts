/**
 * OPAQUE (RFC 9807) server side, through @serenity-kit/opaque (opaque-ke). The server setup (its
 * OPRF seed and long-term key pair) is generated once and kept in the data directory with mode
 * 0600. The relay stores per account only the registration record (RFC 9807 §5.1.2), from which a
 * password can be tested only by running OPAQUE against this server; it never sees the password.
 */
import * as opaque from '@serenity-kit/opaque';
import { existsSync, readFileSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64Url, randomSecret, toBase64Url } from './tokens.js';
import { SetupError } from '../errors.js';

export const SERVER_SETUP_FILE = 'opaque-server-setup';
const LOGIN_TTL_MS = 60_000;
const MAX_PENDING_LOGINS = 10_000;

/** Reads the server setup, creating it (mode 0600) on first start. */
export async function loadServerSetup(dataDir: string): Promise<string> {
  await opaque.ready;
  const path = join(dataDir, SERVER_SETUP_FILE);
  if (!existsSync(path)) {
    writeFileSync(path, opaque.server.createSetup(), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);
  if ((statSync(path).mode & 0o077) !== 0) throw new SetupError(`${path} must be readable by its owner only`);
  const setup = readFileSync(path, 'utf8').trim();
  if (setup.length === 0) throw new SetupError(`${path} is empty; delete it only if no account exists yet`);
  return setup;
}

export interface PendingLogin {
  readonly username: string;
  readonly accountId: string | undefined;
  readonly state: string;
  readonly expires: number;
}

export interface LoginFinished {
  readonly accountId: string;
}

/**
 * Where login states wait between the two requests of a login: in memory on one relay, in the
 * shared store when several nodes serve the same accounts (relay/bus/shared-logins.ts).
 */
export interface LoginStates {
  put(loginId: string, login: PendingLogin, now: number): Promise<void>;
  /** The state, removed: each is used at most once. */
  take(loginId: string, now: number): Promise<PendingLogin | undefined>;
}

/** Login states in memory for a minute, at most MAX_PENDING_LOGINS (the oldest go first). */
export class MemoryLoginStates implements LoginStates {
  readonly #logins = new Map<string, PendingLogin>();

  put(loginId: string, login: PendingLogin, now: number): Promise<void> {
    this.#sweep(now);
    this.#logins.set(loginId, login);
    return Promise.resolve();
  }

  take(loginId: string): Promise<PendingLogin | undefined> {
    const pending = this.#logins.get(loginId);
    this.#logins.delete(loginId);
    return Promise.resolve(pending);
  }

  #sweep(now: number): void {
    // In start order, all living LOGIN_TTL_MS: the expired ones are at the front.
    for (const [id, login] of this.#logins) {
      if (login.expires > now) break;
      this.#logins.delete(id);
    }
    while (this.#logins.size >= MAX_PENDING_LOGINS) {
      const oldest = this.#logins.keys().next().value;
      if (oldest === undefined) break;
      this.#logins.delete(oldest);
    }
  }
}

/** The OPAQUE steps; the login state between the two round trips lives for a minute. */
/** RFC 9807 §5.1.2 RegistrationRecord for ristretto255/SHA-512: client key 32, masking key 64, envelope 96. */
export const REGISTRATION_RECORD_BYTES = 192;

export class OpaqueServer {
  readonly #setup: string;
  readonly #logins: LoginStates;
  /** A client's first login message, made once, to try a registration record with (validRecord). */
  readonly #probe: string;

  constructor(setup: string, logins: LoginStates = new MemoryLoginStates()) {
    this.#setup = setup;
    this.#logins = logins;
    this.#probe = opaque.client.startLogin({ password: toBase64Url(randomSecret()) }).startLoginRequest;
  }

  /**
   * Whether `record` is a registration record this server can log in with (issue #10 item 7):
   * strict base64url of exactly REGISTRATION_RECORD_BYTES whose client public key is a valid
   * ristretto255 point — the library parses it as a login would. The envelope cannot be checked
   * without the password; a wrong one only makes that account's logins fail.
   */
  validRecord(username: string, record: string): boolean {
    const bytes = fromBase64Url(record);
    if (bytes?.length !== REGISTRATION_RECORD_BYTES) return false;
    try {
      opaque.server.startLogin({
        serverSetup: this.#setup,
        userIdentifier: username,
        registrationRecord: record,
        startLoginRequest: this.#probe,
      });
      return true;
    } catch {
      return false;
    }
  }

  registrationResponse(username: string, registrationRequest: string): string {
    return opaque.server.createRegistrationResponse({
      serverSetup: this.#setup,
      userIdentifier: username,
      registrationRequest,
    }).registrationResponse;
  }

  /**
   * RFC 9807 §6.3.2.2: for an unknown user the server answers with a fake response built from the
   * setup, so the answer does not reveal whether the account exists.
   */
  async startLogin(
    username: string,
    account: { accountId: string; opaqueRecord: string } | undefined,
    startLoginRequest: string,
    now: number,
  ): Promise<{ loginId: string; loginResponse: string }> {
    const { serverLoginState, loginResponse } = opaque.server.startLogin({
      serverSetup: this.#setup,
      userIdentifier: username,
      registrationRecord: account?.opaqueRecord ?? null,
      startLoginRequest,
    });
    const loginId = toBase64Url(randomSecret());
    await this.#logins.put(
      loginId,
      { username, accountId: account?.accountId, state: serverLoginState, expires: now + LOGIN_TTL_MS },
      now,
    );
    return { loginId, loginResponse };
  }

  /** The account id when the client proved knowledge of the password; undefined otherwise. */
  async finishLogin(loginId: string, finishLoginRequest: string, now: number): Promise<LoginFinished | undefined> {
    const pending = await this.#logins.take(loginId, now);
    if (pending === undefined || pending.expires <= now || pending.accountId === undefined) return undefined;
    try {
      opaque.server.finishLogin({ serverLoginState: pending.state, finishLoginRequest });
    } catch {
      return undefined;
    }
    return { accountId: pending.accountId };
  }
}
