// The identity layer on each engine's WebCrypto (Ed25519 keys from seeds, labelled signatures,
// HKDF, AES-GCM): device list, directory view, prekey bundles, recovery and rotation.
// Vectors for the seeded world 'portable-identity-vector' were checked independently with Python
// (`cryptography` 48 for Ed25519 from seed and HKDF, `hashlib`/`base64` for the encodings of
// docs/PROTOCOL.md §11.1, §12.1, §12.2); the device-list hash is this implementation's own
// regression vector (a wire change shows up here as a diff).
import { toHex } from '../../../shared/crypto/index.js';
import { DecryptError, SignatureError } from '../../../shared/errors/index.js';
import {
  createRotatedAccountIdentity,
  decodeDeviceListBody,
  createNextDeviceList,
  deviceListHash,
  createDirectoryView,
  receiveDeviceList,
  receiveRotation,
  PinMismatchError,
  RollbackError,
  createPrekeyState,
  prekeyBundleOf,
  verifyPrekeyBundle,
  formatRecoveryKey,
  generateRecoveryKey,
  restoreAccountIdentity,
  wrapIdentityBackup,
  createRotation,
  safetyCode,
} from '../../../shared/protocol/index.js';
import { asConversationId } from '../../../shared/wire/index.js';
import { identityWorld } from '../../support/identity-fixture.js';
import { assertEqual, assertRejects, assertTrue } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

const SEED = 'portable-identity-vector';

export const identitySuite: PortableSuite = {
  name: 'protocol/identity',
  cases: [
    {
      name: 'seeded vectors: business fingerprint, safety code, recovery key text and key, device list hash',
      run: async () => {
        const w = await identityWorld(SEED);
        assertEqual(w.pin, 'bmqt crdz oo47 if5l qkim ydw2 rwe2 zvos cfap lsls 2ong euaz n45a', 'business fingerprint');
        const code = await safetyCode(
          asConversationId(new Uint8Array(16).fill(7)),
          w.identity.signing.publicKey,
          w.agent.keys.identityDh.publicKey,
        );
        assertEqual(code, '93038 04912 99858 61689 21479 67102', 'safety code');
        assertEqual(
          await formatRecoveryKey(w.recoveryKey),
          'md5a 3oli xixf xxcx 6zo4 33lo vw6o 2nny vhac 6nth k34g enlg m4yj 4m4k',
          'recovery key text',
        );
        assertEqual(
          toHex(w.recovery.signing.publicKey),
          '34943b94456e26f206ef9d534302f69155784627507fa7f9e31329e71d169030',
          'recovery signing key',
        );
        assertEqual(
          toHex(await deviceListHash(w.v1.body)),
          '5df3cc64d2f23a72d4a3d7bb9a77c641a28bd527897b37958ba2a8e9b339a6c5',
          'device list v1 chain hash',
        );
      },
    },
    {
      name: 'directory view: pinned list accepted, rollback and foreign key refused',
      run: async () => {
        const w = await identityWorld(SEED);
        const other = await identityWorld('portable-other');
        const first = await receiveDeviceList(createDirectoryView(w.pin), w.v1, w.env);
        assertEqual(first.outcome, 'accepted', 'v1 outcome');
        const v2 = await createNextDeviceList(
          w.identity,
          w.v1,
          { devices: decodeDeviceListBody(w.v1.body).devices.slice(0, 2) },
          w.env,
        );
        const second = await receiveDeviceList(first.state, v2, w.env);
        assertEqual(second.outcome, 'accepted', 'v2 outcome');
        const rollback = await receiveDeviceList(second.state, w.v1, w.env);
        assertTrue(rollback.rejected instanceof RollbackError, 'rollback refused');
        const foreign = await receiveDeviceList(createDirectoryView(w.pin), other.v1, w.env);
        assertTrue(foreign.rejected instanceof PinMismatchError, 'foreign key refused');
        assertTrue(foreign.alerts[0]?.kind === 'pin-mismatch', 'pin-mismatch alert');
      },
    },
    {
      name: 'prekey bundle verifies; a swapped signed prekey does not',
      run: async () => {
        const w = await identityWorld(SEED);
        const prekeys = await createPrekeyState(w.agent.keys, w.env, 1);
        const bundle = prekeyBundleOf(prekeys, 1);
        await verifyPrekeyBundle(bundle, w.agent.entry, w.clock.now());
        await assertRejects(
          () =>
            verifyPrekeyBundle(
              { ...bundle, signedPrekey: w.owner.keys.identityDh.publicKey },
              w.agent.entry,
              w.clock.now(),
            ),
          SignatureError,
          'swapped signed prekey',
        );
      },
    },
    {
      name: 'recovery backup opens with the recovery key only; recovery-signed rotation re-pins',
      run: async () => {
        const w = await identityWorld(SEED);
        const backup = await wrapIdentityBackup(w.recoveryKey, w.identity.accountId, w.seed, w.env);
        const restored = await restoreAccountIdentity(w.recoveryKey, w.identity.accountId, backup);
        assertEqual(toHex(restored.signing.publicKey), toHex(w.identity.signing.publicKey), 'restored AIK');
        await assertRejects(
          () => restoreAccountIdentity(generateRecoveryKey(w.env), w.identity.accountId, backup),
          DecryptError,
          'wrong recovery key',
        );
        const view = (await receiveDeviceList(createDirectoryView(w.pin), w.v1, w.env)).state;
        const fresh = await createRotatedAccountIdentity(w.identity.accountId, w.env);
        const rotation = await createRotation(
          w.v1,
          fresh.identity,
          { kind: 'recovery-key', signing: w.recovery.signing },
          w.env,
        );
        const rotated = await receiveRotation(view, rotation, w.env);
        assertEqual(rotated.outcome, 'accepted', 'rotation outcome');
        assertEqual(
          toHex(rotated.state.accountKey ?? new Uint8Array(0)),
          toHex(fresh.identity.signing.publicKey),
          're-pinned key',
        );
      },
    },
  ],
};
