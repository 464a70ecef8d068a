/**
 * Account key rotation (docs/PROTOCOL.md §11.3; security brief F18). A rotation statement names
 * the old and the new account identity key (AIK) and the newest device list the old key signed.
 * It is signed by an authority — the old AIK (planned rotation) or the recovery signing key
 * listed in that device list (every owner device lost) — and by the new AIK (proof of
 * possession). A client that accepts it re-pins to the new key (directory-view.ts); the next
 * device list must then be signed by the new key and chain to `lastListHash`.
 */
import { constantTimeEqual, type Ed25519KeyPair, ed25519Sign, ed25519Verify } from '../../crypto/index.js';
import { DecodeError, SignatureError, UsageError } from '../../errors/index.js';
import { encode, idEquals } from '../../wire/index.js';
import { type AccountIdentity, IDENTITY_LABELS, labelled } from '../identity/index.js';
import { decodeDeviceListBody } from './device-list-codec.js';
import { deviceListHash } from './device-list.js';
import type { ProtocolEnv, DeviceList, SignedDeviceList } from '../core/index.js';
import {
  ROTATION_AUTHORITIES,
  type RotationStatement,
  type SignedRotation,
  decodeRotationStatement,
  rotationStatementCodec,
} from './rotation-codec.js';

/** Who signs the rotation: the old AIK, or the recovery signing key (recovery.ts). */
export type RotationSigner =
  | { readonly kind: 'account-key'; readonly identity: AccountIdentity }
  | { readonly kind: 'recovery-key'; readonly signing: Ed25519KeyPair };

/**
 * Makes a rotation from the key in `lastList` to `newIdentity`. `lastList` must be the newest
 * list in the directory (the caller verified it); the new key then signs version n+1.
 */
export async function createRotation(
  lastList: SignedDeviceList,
  newIdentity: AccountIdentity,
  signer: RotationSigner,
  env: ProtocolEnv,
): Promise<SignedRotation> {
  const list = decodeDeviceListBody(lastList.body);
  if (!idEquals(list.accountId, newIdentity.accountId))
    throw new UsageError('the new identity belongs to another account');
  if (signer.kind === 'account-key' && !constantTimeEqual(signer.identity.signing.publicKey, list.accountKey)) {
    throw new UsageError('the signing identity is not the key that signed the last device list');
  }
  if (
    signer.kind === 'recovery-key' &&
    (list.recoveryKey === undefined || !constantTimeEqual(signer.signing.publicKey, list.recoveryKey))
  ) {
    throw new UsageError('the last device list does not name this recovery key');
  }
  const statement: RotationStatement = {
    accountId: list.accountId,
    oldAccountKey: list.accountKey,
    newAccountKey: new Uint8Array(newIdentity.signing.publicKey),
    authority: signer.kind,
    lastListVersion: list.version,
    lastListHash: await deviceListHash(lastList.body),
    issuedAt: env.now(),
  };
  const body = encode(rotationStatementCodec, statement);
  const authorityKey = signer.kind === 'account-key' ? signer.identity.signing.privateKey : signer.signing.privateKey;
  const authoritySignature = await ed25519Sign(authorityKey, labelled(IDENTITY_LABELS.rotationAuthority, body));
  const newKeySignature = await ed25519Sign(
    newIdentity.signing.privateKey,
    labelled(IDENTITY_LABELS.rotationNewKey, body),
  );
  return { body, authoritySignature, newKeySignature };
}

/** The keys a rotation's authority is checked against: those of the list it starts from (its base). */
export type RotationBaseKeys = Pick<DeviceList, 'version' | 'accountKey' | 'recoveryKey'>;

/**
 * Checks a rotation against the list it starts from (`base`: its account key and recovery key).
 * DecodeError for a malformed statement, SignatureError when a signature fails or the authority
 * is not the base's AIK / recovery key. Returns the statement; the caller checks that it names
 * `base` by version and chain hash (directory-view-rotation.ts).
 */
export async function verifyRotation(rotation: SignedRotation, base: RotationBaseKeys): Promise<RotationStatement> {
  const statement = decodeRotationStatement(rotation.body);
  if (constantTimeEqual(statement.oldAccountKey, statement.newAccountKey)) {
    throw new DecodeError('a rotation must name a new account key different from the old one');
  }
  let authorityKey: Uint8Array;
  if (statement.authority === ROTATION_AUTHORITIES.accountKey) {
    authorityKey = base.accountKey;
  } else {
    if (base.recoveryKey === undefined) {
      throw new SignatureError(
        `device list version ${base.version} names no recovery key: a recovery rotation cannot be checked`,
      );
    }
    authorityKey = base.recoveryKey;
  }
  // PROTOCOL §11.3: the authority signs the labelled statement (RFC 8032 §5.1.7 verify).
  if (
    !(await ed25519Verify(
      authorityKey,
      labelled(IDENTITY_LABELS.rotationAuthority, rotation.body),
      rotation.authoritySignature,
    ))
  ) {
    throw new SignatureError(`the ${statement.authority} signature of the account key rotation does not verify`);
  }
  if (
    !(await ed25519Verify(
      statement.newAccountKey,
      labelled(IDENTITY_LABELS.rotationNewKey, rotation.body),
      rotation.newKeySignature,
    ))
  ) {
    throw new SignatureError('the new account key did not sign the rotation (no proof of possession)');
  }
  return statement;
}
