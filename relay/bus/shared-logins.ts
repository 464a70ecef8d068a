/**
 * OPAQUE login states kept in the shared store between login/start and login/finish, so the two
 * requests may reach different nodes. A state holds what the server expects of the client's
 * finish message: whoever reads it could finish that login. So it is sealed with AES-256-GCM
 * under a key derived (HKDF-SHA-256) from the OPAQUE server setup, which every node has and the
 * database does not: a database reader learns nothing usable. The login id is the associated
 * data, so a sealed state cannot be moved to another id.
 */
import type { LoginStates, PendingLogin } from '../auth/opaque-server.js';
import type { SharedStore } from '../store/store.js';

const KIND = 'login';
const IV_BYTES = 12;
const encoder = new TextEncoder();

/** The sealing key: HKDF-SHA-256 of the setup with its own label (never the setup itself). */
export async function loginStateKey(setup: string): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey('raw', encoder.encode(setup), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('sealdesk relay login state v1') },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The setup's fingerprint recorded in the store (SharedStore.claimSetupFingerprint). */
export async function setupFingerprint(setup: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    encoder.encode(`sealdesk opaque setup fingerprint v1\n${setup}`),
  );
  return Buffer.from(digest).toString('hex');
}

function isPendingLogin(value: unknown): value is PendingLogin {
  const v = value as Partial<Record<keyof PendingLogin, unknown>> | null;
  return (
    typeof v?.username === 'string' &&
    (v.accountId === undefined || typeof v.accountId === 'string') &&
    typeof v.state === 'string' &&
    typeof v.expires === 'number'
  );
}

export class SharedLoginStates implements LoginStates {
  readonly #store: SharedStore;
  readonly #key: CryptoKey;

  constructor(store: SharedStore, key: CryptoKey) {
    this.#store = store;
    this.#key = key;
  }

  async put(loginId: string, login: PendingLogin): Promise<void> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(loginId) },
        this.#key,
        encoder.encode(JSON.stringify(login)),
      ),
    );
    const value = new Uint8Array(IV_BYTES + sealed.length);
    value.set(iv);
    value.set(sealed, IV_BYTES);
    await this.#store.putSingleUse(KIND, loginId, value, login.expires);
  }

  async take(loginId: string, now: number): Promise<PendingLogin | undefined> {
    const value = await this.#store.takeSingleUse(KIND, loginId, now);
    if (value === undefined || value.length <= IV_BYTES) return undefined;
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: value.slice(0, IV_BYTES), additionalData: encoder.encode(loginId) },
        this.#key,
        value.slice(IV_BYTES),
      );
    } catch {
      // Sealed under another setup or altered in the store: no login.
      return undefined;
    }
    const parsed: unknown = JSON.parse(new TextDecoder().decode(plain));
    return isPendingLogin(parsed) ? parsed : undefined;
  }
}
