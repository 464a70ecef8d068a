/**
 * The OpaqueClient of the agent apps: @serenity-kit/opaque (OPAQUE-3DH, ristretto255, SHA-512)
 * with the key stretching every Sealdesk client must use (PROTOCOL §17: Argon2id, 64 MiB, 3
 * iterations, parallelism 4). The caller passes `OPAQUE_KEY_STRETCHING` of shared/protocol; any
 * other value would lock the account out on every other client.
 */
import * as opaque from '@serenity-kit/opaque';
import type { OpaqueClient } from '../opaque-port.js';

export type KeyStretching = NonNullable<Parameters<typeof opaque.client.finishLogin>[0]['keyStretching']>;

export function serenityOpaqueClient(keyStretching: KeyStretching): OpaqueClient {
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
