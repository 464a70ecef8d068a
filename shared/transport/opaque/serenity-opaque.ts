/**
 * The OpaqueClient of the agent apps: @serenity-kit/opaque (OPAQUE-3DH, ristretto255, SHA-512)
 * with the key stretching every Sealdesk client must use, fixed here (PROTOCOL §17:
 * OPAQUE_KEY_STRETCHING, Argon2id 64 MiB, 3 iterations, parallelism 4): any other value would lock
 * the account out on every other client. Only agent apps import this unit; the widget never does.
 */
import * as opaque from '@serenity-kit/opaque';
import { OPAQUE_KEY_STRETCHING } from '../../protocol/index.js';
import type { OpaqueClient } from '../index.js';

export function serenityOpaqueClient(): OpaqueClient {
  const keyStretching = OPAQUE_KEY_STRETCHING;
  return {
    async startRegistration(password) {
      await opaque.ready;
      return opaque.client.startRegistration({ password });
    },
    async finishRegistration({ clientRegistrationState, registrationResponse, password }) {
      await opaque.ready;
      const { registrationRecord } = opaque.client.finishRegistration({
        clientRegistrationState,
        registrationResponse,
        password,
        keyStretching,
      });
      return { registrationRecord };
    },
    async startLogin(password) {
      await opaque.ready;
      return opaque.client.startLogin({ password });
    },
    async finishLogin({ clientLoginState, loginResponse, password }) {
      await opaque.ready;
      const result = opaque.client.finishLogin({ clientLoginState, loginResponse, password, keyStretching });
      return result === undefined ? undefined : { finishLoginRequest: result.finishLoginRequest };
    },
  };
}
