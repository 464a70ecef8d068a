/**
 * Account registration and login with OPAQUE, and device sessions by signature (PROTOCOL §16.5,
 * §17; docs/OPERATIONS.md "HTTP API"). The OPAQUE math is the injected OpaqueClient; this file is
 * only the exchange. The password goes to the OpaqueClient and nowhere else.
 */
import { toBase64Url } from '../../crypto/index.js';
import { type AccountId, type DeviceId, idToHex } from '../../wire/index.js';
import type { OpaqueClient } from '../opaque-port.js';
import { UnauthorizedError } from '../relay-errors.js';
import { type DeviceCredentials, signChallenge } from '../signer.js';
import type { CallOptions, RelayRequester } from './relay-request.js';
import { accountIdField, bytesField, numberField, stringField } from './response-fields.js';

export interface Session {
  /** The bearer token (send as RelayAuth `{ bearer }`); a secret, never logged. */
  readonly sessionToken: string;
  /** Milliseconds since the epoch, by the relay's clock. */
  readonly expiresAt: number;
}

export interface AccountSession extends Session {
  readonly accountId: AccountId;
}

const CHALLENGE_BYTES = 32;

export class AuthApi {
  readonly #http: RelayRequester;

  constructor(http: RelayRequester) {
    this.#http = http;
  }

  /** Registers `username`; ConflictError `username-taken` if it exists. */
  async register(username: string, password: string, opaque: OpaqueClient, call?: CallOptions): Promise<AccountId> {
    const what = 'register the account';
    const { clientRegistrationState, registrationRequest } = await opaque.startRegistration(password);
    const start = await this.#http.json(
      { method: 'POST', path: '/v1/auth/register/start', what, json: { username, registrationRequest } },
      call,
    );
    const { registrationRecord } = await opaque.finishRegistration({
      clientRegistrationState,
      registrationResponse: stringField(start, 'registrationResponse', what),
      password,
    });
    const finish = await this.#http.json(
      { method: 'POST', path: '/v1/auth/register/finish', what, json: { username, registrationRecord } },
      call,
    );
    return accountIdField(finish, 'accountId', what);
  }

  /** OPAQUE login; UnauthorizedError (`login-failed`) for a wrong password or unknown username. */
  async login(username: string, password: string, opaque: OpaqueClient, call?: CallOptions): Promise<AccountSession> {
    const what = 'log in';
    const { clientLoginState, startLoginRequest } = await opaque.startLogin(password);
    const start = await this.#http.json(
      { method: 'POST', path: '/v1/auth/login/start', what, json: { username, startLoginRequest } },
      call,
    );
    const finished = await opaque.finishLogin({
      clientLoginState,
      loginResponse: stringField(start, 'loginResponse', what),
      password,
    });
    if (finished === undefined) {
      throw new UnauthorizedError('log in: wrong username or password', { relayCode: 'login-failed' });
    }
    const done = await this.#http.json(
      {
        method: 'POST',
        path: '/v1/auth/login/finish',
        what,
        json: { loginId: stringField(start, 'loginId', what, 64), finishLoginRequest: finished.finishLoginRequest },
      },
      call,
    );
    return {
      accountId: accountIdField(done, 'accountId', what),
      sessionToken: stringField(done, 'sessionToken', what, 128),
      expiresAt: numberField(done, 'expiresAt', what),
    };
  }

  /** A device session: challenge, signature by the device key (§16.5), token. */
  async deviceSession(device: DeviceCredentials, call?: CallOptions): Promise<Session> {
    const what = 'authenticate the device';
    const ids = { accountId: idToHex(device.accountId), deviceId: idToHex(device.deviceId) };
    const issued = await this.#http.json({ method: 'POST', path: '/v1/auth/device/challenge', what, json: ids }, call);
    const challenge = bytesField(issued, 'challenge', what, CHALLENGE_BYTES);
    const signature = await signChallenge(device, challenge);
    const done = await this.#http.json(
      {
        method: 'POST',
        path: '/v1/auth/device/session',
        what,
        json: { ...ids, challenge: toBase64Url(challenge), signature: toBase64Url(signature) },
      },
      call,
    );
    return {
      sessionToken: stringField(done, 'sessionToken', what, 128),
      expiresAt: numberField(done, 'expiresAt', what),
    };
  }
}

/** Path segment of an id (PROTOCOL §2.4: 32 lower-case hex digits). */
export function idPath(id: AccountId | DeviceId): string {
  return idToHex(id);
}
