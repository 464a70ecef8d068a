/**
 * Reading and publishing the signed widget configuration (PROTOCOL §19) with the protocol module
 * (shared/protocol/widget-config): the runtime's WidgetConfig IS its WidgetSettings. A reader keeps
 * what it last accepted (`seen`: version and hash) so the relay can neither roll the configuration
 * back nor show two different ones under one version (§19.3: RollbackError, EquivocationError).
 */
import {
  type AccountIdentity,
  type ProtocolEnv,
  type SeenWidgetConfig,
  signWidgetConfig,
  verifyWidgetConfig,
} from '../protocol/index.js';
import type { SettingValue } from '../storage/index.js';
import type { DirectoryApi, DirectoryReads } from '../transport/index.js';
import { type AccountId, idToHex } from '../wire/index.js';
import type { WidgetConfig } from './api-visitor.js';
import type { RuntimeStore } from './runtime-shapes.js';

/** What the widget shows when the business has published no configuration yet. */
export function defaultWidgetConfig(): WidgetConfig {
  return {
    businessName: 'Chat',
    greeting: '',
    colour: '#1f6feb',
    position: 'bottom-right',
    language: 'en',
    expectedReplyMinutes: 0,
    businessHours: [],
    timeZone: 'UTC',
  };
}

/** What a new account publishes first (PROTOCOL §19), so the widget names the business from the first visit. */
export function firstWidgetConfig(businessName: string): WidgetConfig {
  return { ...defaultWidgetConfig(), businessName, greeting: 'Hello! How can we help you today?' };
}

/** The account the configuration must be signed for, with the key of the verified directory view. */
export interface ConfigAccount {
  readonly accountId: AccountId;
  readonly accountKey: Uint8Array;
}

export interface ReadWidgetConfig {
  /** Undefined: none published yet. */
  readonly config: WidgetConfig | undefined;
  /** The newest accepted, to store (undefined when none was ever accepted). */
  readonly seen: SeenWidgetConfig | undefined;
}

/** Fetches and verifies the published configuration against `seen` (a refused one throws, §19.3). */
export async function readWidgetConfig(
  http: DirectoryReads,
  account: ConfigAccount,
  seen: SeenWidgetConfig | undefined,
): Promise<ReadWidgetConfig> {
  const bytes = await http.widgetConfig(account.accountId);
  if (bytes === undefined) return { config: undefined, seen };
  const verified = await verifyWidgetConfig(bytes, account, seen);
  return { config: verified.settings, seen: verified.seen };
}

/** Signs `config` as the version after the published one (1 when none) and publishes it. */
export async function publishWidgetConfig(
  http: DirectoryApi,
  identity: AccountIdentity,
  config: WidgetConfig,
  env: ProtocolEnv,
  publish: (bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  const current = await readWidgetConfig(
    http,
    { accountId: identity.accountId, accountKey: identity.signing.publicKey },
    undefined,
  );
  const version = (current.seen?.configVersion ?? 0) + 1;
  await publish(await signWidgetConfig(config, version, identity, env));
}

// The `seen` record is kept as two settings per account, committed with the account's directory view.
const versionName = (accountId: AccountId): string => `widget-config.${idToHex(accountId)}.version`;
const hashName = (accountId: AccountId): string => `widget-config.${idToHex(accountId)}.hash`;

/** The stored `seen` of `accountId`, if any. */
export async function storedSeen(
  store: RuntimeStore | undefined,
  accountId: AccountId,
): Promise<SeenWidgetConfig | undefined> {
  if (store === undefined) return undefined;
  const version = await store.setting(versionName(accountId));
  const hash = await store.setting(hashName(accountId));
  if (typeof version !== 'number' || !(hash instanceof Uint8Array)) return undefined;
  return { configVersion: version, hash };
}

/** The settings that store `seen` (none when there is nothing to remember). */
export function seenSettings(
  accountId: AccountId,
  seen: SeenWidgetConfig | undefined,
): readonly { readonly name: string; readonly value: SettingValue }[] {
  if (seen === undefined) return [];
  return [
    { name: versionName(accountId), value: seen.configVersion },
    { name: hashName(accountId), value: seen.hash },
  ];
}
