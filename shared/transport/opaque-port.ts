/**
 * The OPAQUE client math the agent runtime injects (PROTOCOL §17): the transport runs the HTTP
 * exchange and never imports an OPAQUE library itself, so the visitor widget never bundles one.
 * shared/transport/opaque adapts @serenity-kit/opaque with the key stretching of §17.
 * Messages are the library's base64url strings; the password never leaves these calls.
 */
export interface OpaqueClient {
  startRegistration(password: string): Promise<{ clientRegistrationState: string; registrationRequest: string }>;
  finishRegistration(input: {
    readonly clientRegistrationState: string;
    readonly registrationResponse: string;
    readonly password: string;
  }): Promise<{ registrationRecord: string }>;
  startLogin(password: string): Promise<{ clientLoginState: string; startLoginRequest: string }>;
  /** Undefined when the relay's answer does not authenticate (wrong password or unknown username). */
  finishLogin(input: {
    readonly clientLoginState: string;
    readonly loginResponse: string;
    readonly password: string;
  }): Promise<{ finishLoginRequest: string } | undefined>;
}
