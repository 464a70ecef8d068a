/**
 * Signing and verifying the widget configuration (docs/PROTOCOL.md §19.3; issue #12 item 2, #15
 * item 5). The owner device signs with the account identity key; the relay stores and serves the
 * bytes; the widget accepts them only under the account key its directory view verified against
 * the snippet pin, for its own account, and never older than a version it has already seen.
 */
import { constantTimeEqual, ed25519Sign, ed25519Verify, sha256 } from '../../crypto/index.js';
import { SignatureError, UsageError } from '../../errors/index.js';
import { type AccountId, decode, encode, idEquals } from '../../wire/index.js';
import { EquivocationError, PinMismatchError, type ProtocolEnv, RollbackError } from '../core/index.js';
import type { AccountIdentity } from '../identity/index.js';
import {
  decodeWidgetConfigBody,
  type SignedWidgetConfig,
  signedWidgetConfigCodec,
  type WidgetConfigBody,
  widgetConfigBodyCodec,
} from './widget-config-codec.js';
import { labelled, WIDGET_CONFIG_LABELS } from './widget-config-labels.js';
import { checkReceivedSettings, checkSettingsToSign, type WidgetSettings } from './widget-settings.js';

/** What a reader remembers of the newest configuration it accepted (§19.3). */
export interface SeenWidgetConfig {
  readonly configVersion: number;
  readonly hash: Uint8Array;
}

export interface VerifiedWidgetConfig extends WidgetConfigBody {
  /** Remember this to refuse a later rollback or equivocation. */
  readonly seen: SeenWidgetConfig;
}

function configHash(body: Uint8Array): Promise<Uint8Array> {
  return sha256(labelled(WIDGET_CONFIG_LABELS.hash, body));
}

/**
 * Signs `settings` as version `configVersion` of `identity`'s account; returns the bytes to
 * publish. UsageError for settings that readers would refuse, or a version below 1.
 */
export async function signWidgetConfig(
  settings: WidgetSettings,
  configVersion: number,
  identity: AccountIdentity,
  env: ProtocolEnv,
): Promise<Uint8Array> {
  checkSettingsToSign(settings);
  if (!Number.isInteger(configVersion) || configVersion < 1)
    throw new UsageError('the widget configuration version is a whole number from 1');
  const body = encode(widgetConfigBodyCodec, {
    accountId: identity.accountId,
    configVersion,
    issuedAt: env.now(),
    settings,
  });
  const signature = await ed25519Sign(identity.signing.privateKey, labelled(WIDGET_CONFIG_LABELS.signature, body));
  return encode(signedWidgetConfigCodec, { body, signature });
}

/**
 * Verifies published configuration bytes (§19.3), in this order: the layout (DecodeError), the
 * signature by `accountKey`, the current account key of the reader's verified directory view
 * (SignatureError), the account id (PinMismatchError: a configuration of another business), the
 * rules of every value (InvalidContentError), then against `seen`: an older version is a
 * RollbackError, the same version with other bytes an EquivocationError.
 */
export async function verifyWidgetConfig(
  bytes: Uint8Array,
  account: { readonly accountId: AccountId; readonly accountKey: Uint8Array },
  seen?: SeenWidgetConfig,
): Promise<VerifiedWidgetConfig> {
  const signed: SignedWidgetConfig = decode(signedWidgetConfigCodec, bytes, 'signed widget configuration');
  const valid = await ed25519Verify(
    account.accountKey,
    labelled(WIDGET_CONFIG_LABELS.signature, signed.body),
    signed.signature,
  );
  if (!valid) throw new SignatureError('the widget configuration is not signed by the business’s account key');
  const body = decodeWidgetConfigBody(signed.body);
  if (!idEquals(body.accountId, account.accountId))
    throw new PinMismatchError('the widget configuration belongs to another business');
  checkReceivedSettings(body.settings);
  const hash = await configHash(signed.body);
  if (seen !== undefined) {
    if (body.configVersion < seen.configVersion)
      throw new RollbackError(
        `the widget configuration is version ${body.configVersion}, older than version ${seen.configVersion} already seen`,
      );
    if (body.configVersion === seen.configVersion && !constantTimeEqual(hash, seen.hash))
      throw new EquivocationError(
        `two different widget configurations carry version ${body.configVersion}: the relay shows different views`,
      );
  }
  return { ...body, seen: { configVersion: body.configVersion, hash } };
}
