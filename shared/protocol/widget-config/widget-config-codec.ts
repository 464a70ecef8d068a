/**
 * Byte layouts of the signed widget configuration (docs/PROTOCOL.md §19.1). The body names the
 * account and a version the business increases with every change, so that a reader can refuse a
 * configuration of another account and an older one it has already seen replaced (§19.3).
 */
import { fromHex, toHex } from '../../crypto/index.js';
import {
  type AccountId,
  accountIdCodec,
  type Codec,
  DecodeError,
  decode,
  fixedBytes,
  list,
  optional,
  refine,
  struct,
  u16,
  u32,
  u64,
  u8,
  utf8String,
  varBytes,
} from '../../wire/index.js';
import { versioned } from '../core/index.js';
import { type BusinessHoursRange, WIDGET_SETTINGS_LIMITS, type WidgetSettings } from './widget-settings.js';

/** A configuration body and what the reader learns besides the settings. */
export interface WidgetConfigBody {
  readonly accountId: AccountId;
  /** 1, 2, …: increased by the business with every change. */
  readonly configVersion: number;
  /** Milliseconds since the Unix epoch, when the owner device signed it. */
  readonly issuedAt: number;
  readonly settings: WidgetSettings;
}

export interface SignedWidgetConfig {
  readonly body: Uint8Array;
  /** Ed25519 by the account identity key over `label || 0x00 || body` (§19.3). */
  readonly signature: Uint8Array;
}

const POSITIONS = ['bottom-right', 'bottom-left'] as const;
const limits = WIDGET_SETTINGS_LIMITS;

interface WireBody {
  readonly accountId: AccountId;
  readonly configVersion: number;
  readonly issuedAt: number;
  readonly businessName: string;
  readonly greeting: string;
  readonly colour: Uint8Array;
  readonly position: number;
  readonly language: string;
  readonly expectedReplyMinutes: number;
  readonly businessHours: readonly BusinessHoursRange[];
  readonly timeZone: string;
  readonly prechatQuestion: string | undefined;
}

const hoursCodec: Codec<BusinessHoursRange> = struct<BusinessHoursRange>({ day: u8, from: u16, to: u16 });

// UTF-8 caps: four bytes per code point at most; the code-point caps are checked by the rules.
const wireBodyCodec: Codec<WireBody> = versioned(
  struct<WireBody>({
    accountId: accountIdCodec,
    configVersion: refine(u32, (v) => (v === 0 ? 'the configuration version starts at 1' : undefined)),
    issuedAt: u64,
    businessName: utf8String(limits.businessNameCodePoints * 4),
    greeting: utf8String(limits.greetingCodePoints * 4),
    colour: fixedBytes(3),
    position: refine(u8, (v) => (v < POSITIONS.length ? undefined : `unknown position ${v}`)),
    language: utf8String(limits.languageBytes),
    expectedReplyMinutes: u16,
    businessHours: list(hoursCodec, limits.maxBusinessHours),
    timeZone: utf8String(limits.timeZoneBytes),
    prechatQuestion: optional(utf8String(limits.prechatQuestionCodePoints * 4)),
  }),
);

/** The largest body the codec can produce, with room to spare: the cap of the signed form. */
const MAX_BODY_BYTES = 4096;

export const signedWidgetConfigCodec: Codec<SignedWidgetConfig> = versioned(
  struct<SignedWidgetConfig>({ body: varBytes(MAX_BODY_BYTES), signature: fixedBytes(64) }),
);

function toWire(body: WidgetConfigBody): WireBody {
  const { settings } = body;
  return {
    accountId: body.accountId,
    configVersion: body.configVersion,
    issuedAt: body.issuedAt,
    businessName: settings.businessName,
    greeting: settings.greeting,
    colour: fromHex(settings.colour.slice(1)),
    position: POSITIONS.indexOf(settings.position),
    language: settings.language,
    expectedReplyMinutes: settings.expectedReplyMinutes,
    businessHours: settings.businessHours.map(({ day, from, to }) => ({ day, from, to })),
    timeZone: settings.timeZone,
    prechatQuestion: settings.prechatQuestion,
  };
}

function fromWire(wire: WireBody): WidgetConfigBody {
  const position = POSITIONS[wire.position];
  if (position === undefined) throw new DecodeError(`widget configuration: unknown position ${wire.position}`);
  const settings: WidgetSettings = {
    businessName: wire.businessName,
    greeting: wire.greeting,
    colour: `#${toHex(wire.colour)}`,
    position,
    language: wire.language,
    expectedReplyMinutes: wire.expectedReplyMinutes,
    businessHours: wire.businessHours,
    timeZone: wire.timeZone,
    ...(wire.prechatQuestion === undefined ? {} : { prechatQuestion: wire.prechatQuestion }),
  };
  return { accountId: wire.accountId, configVersion: wire.configVersion, issuedAt: wire.issuedAt, settings };
}

export const widgetConfigBodyCodec: Codec<WidgetConfigBody> = {
  write: (w, value) => {
    wireBodyCodec.write(w, toWire(value));
  },
  read: (r) => fromWire(wireBodyCodec.read(r)),
};

export function decodeWidgetConfigBody(bytes: Uint8Array): WidgetConfigBody {
  return decode(widgetConfigBodyCodec, bytes, 'widget configuration');
}
