/**
 * What a business sets for its widget (docs/PROTOCOL.md §19.1), and the rules every value must meet
 * (§19.2). The same rules are applied by the signer (UsageError: an honest writer never signs a
 * value that readers would refuse) and by every reader after the signature checked
 * (InvalidContentError): the widget shows these texts to visitors, so a value that could spoof or
 * break the page is refused, never cleaned up.
 */
import { InvalidContentError } from '../core/index.js';
import { UsageError } from '../../errors/index.js';

export interface BusinessHoursRange {
  /** 0 = Sunday … 6 = Saturday, in `timeZone`. */
  readonly day: number;
  /** Minutes after midnight, 0 to 1439. */
  readonly from: number;
  /** Minutes after midnight, 1 to 1440; `to < from` runs past midnight into the next day. */
  readonly to: number;
}

export interface WidgetSettings {
  /** Shown as who answers; a display name (§4.6). */
  readonly businessName: string;
  readonly greeting: string;
  /** `#rrggbb`, lower-case hex. */
  readonly colour: string;
  readonly position: 'bottom-right' | 'bottom-left';
  /** BCP 47 language tag of the widget's own texts (language, then up to three subtags). */
  readonly language: string;
  /** Expected reply time shown to the visitor, in minutes (0 = not shown), at most a week. */
  readonly expectedReplyMinutes: number;
  /** Opening hours; empty = always open. */
  readonly businessHours: readonly BusinessHoursRange[];
  /** IANA time zone name (`Europe/Lisbon`) or `UTC`. */
  readonly timeZone: string;
  /** Asked before the first message; the answer travels inside the first encrypted message. */
  readonly prechatQuestion?: string;
}

export const WIDGET_SETTINGS_LIMITS = {
  businessNameCodePoints: 64,
  greetingCodePoints: 280,
  prechatQuestionCodePoints: 200,
  languageBytes: 35,
  timeZoneBytes: 64,
  maxReplyMinutes: 7 * 24 * 60,
  maxBusinessHours: 28,
} as const;

// Unicode TR #36 §2 / TR #39 §3.1, as for display names (§4.6): no control, format (bidi controls,
// zero-width characters), private-use, surrogate or unassigned code points, no line separators.
const FORBIDDEN_TEXT = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}\p{Zl}\p{Zp}]/u;
const COLOUR = /^#[0-9a-f]{6}$/;
const LANGUAGE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;
const TIME_ZONE = /^(?:UTC|[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){1,2})$/;

type Refuse = (rule: string) => never;

/** Unicode code points (not UTF-16 units, not grapheme clusters): what the caps count (§19.2). */
function codePointCount(text: string): number {
  return Array.from(text).length;
}

function checkText(text: string, maxCodePoints: number, what: string, refuse: Refuse): void {
  if (text.trim() === '') refuse(`${what} is empty`);
  if (codePointCount(text) > maxCodePoints) refuse(`${what} is longer than ${maxCodePoints} characters`);
  if (text.normalize('NFC') !== text) refuse(`${what} is not in Unicode NFC`);
  // The rule is named, the text is not echoed: it may be hostile.
  if (FORBIDDEN_TEXT.test(text)) refuse(`${what} contains a control, format or invisible character`);
}

function checkHours(range: BusinessHoursRange, refuse: Refuse): void {
  const { day, from, to } = range;
  if (!Number.isInteger(day) || day < 0 || day > 6) refuse('business hours: the day must be 0 (Sunday) to 6');
  if (!Number.isInteger(from) || from < 0 || from > 1439) refuse('business hours: "from" must be 0 to 1439 minutes');
  if (!Number.isInteger(to) || to < 1 || to > 1440) refuse('business hours: "to" must be 1 to 1440 minutes');
  if (from === to) refuse('business hours: a range must not be empty');
}

/** The field a rule is about: the editor shows a refusal next to that field. */
export type WidgetSettingsField = keyof WidgetSettings;

/** Each field's rules (§19.2), in the order they are checked. */
const FIELD_RULES: readonly (readonly [WidgetSettingsField, (settings: WidgetSettings, refuse: Refuse) => void])[] = [
  [
    'businessName',
    (settings, refuse) => {
      checkText(settings.businessName, WIDGET_SETTINGS_LIMITS.businessNameCodePoints, 'the business name', refuse);
      if (/[^\S ]/u.test(settings.businessName)) refuse('the business name has a space other than U+0020');
    },
  ],
  [
    'greeting',
    (settings, refuse) => {
      checkText(settings.greeting, WIDGET_SETTINGS_LIMITS.greetingCodePoints, 'the greeting', refuse);
    },
  ],
  [
    'prechatQuestion',
    (settings, refuse) => {
      if (settings.prechatQuestion !== undefined)
        checkText(
          settings.prechatQuestion,
          WIDGET_SETTINGS_LIMITS.prechatQuestionCodePoints,
          'the pre-chat question',
          refuse,
        );
    },
  ],
  [
    'colour',
    (settings, refuse) => {
      if (!COLOUR.test(settings.colour)) refuse('the colour is not of the form #rrggbb (lower-case hex)');
    },
  ],
  [
    'language',
    (settings, refuse) => {
      if (!LANGUAGE.test(settings.language)) refuse('the language is not a BCP 47 tag such as "en" or "pt-BR"');
    },
  ],
  [
    'timeZone',
    (settings, refuse) => {
      if (!TIME_ZONE.test(settings.timeZone) || settings.timeZone.length > WIDGET_SETTINGS_LIMITS.timeZoneBytes)
        refuse('the time zone is not an IANA name such as "Europe/Lisbon" or "UTC"');
    },
  ],
  [
    'expectedReplyMinutes',
    (settings, refuse) => {
      const minutes = settings.expectedReplyMinutes;
      const max = WIDGET_SETTINGS_LIMITS.maxReplyMinutes;
      if (!Number.isInteger(minutes) || minutes < 0 || minutes > max)
        refuse(`the expected reply time must be 0 to ${max} whole minutes`);
    },
  ],
  [
    'businessHours',
    (settings, refuse) => {
      if (settings.businessHours.length > WIDGET_SETTINGS_LIMITS.maxBusinessHours)
        refuse(`more than ${WIDGET_SETTINGS_LIMITS.maxBusinessHours} business-hours ranges`);
      for (const range of settings.businessHours) checkHours(range, refuse);
    },
  ],
];

function check(settings: WidgetSettings, refuse: Refuse): void {
  for (const [, rules] of FIELD_RULES) rules(settings, refuse);
}

/** A broken rule of §19.2 and the field it is about. */
export interface WidgetSettingsProblem {
  readonly field: WidgetSettingsField;
  /** The rule in words, e.g. 'the greeting is longer than 280 characters'. */
  readonly rule: string;
}

class FieldRefused extends Error {
  constructor(readonly rule: string) {
    super(rule);
  }
}

/**
 * Every field's first broken rule (§19.2), with the very checks of signers and readers: what an
 * editor shows next to each field before it asks to sign. Empty: the settings may be signed.
 */
export function widgetSettingsProblems(settings: WidgetSettings): readonly WidgetSettingsProblem[] {
  const problems: WidgetSettingsProblem[] = [];
  for (const [field, rules] of FIELD_RULES) {
    try {
      rules(settings, (rule) => {
        throw new FieldRefused(rule);
      });
    } catch (error) {
      if (!(error instanceof FieldRefused)) throw error;
      problems.push({ field, rule: error.rule });
    }
  }
  return problems;
}

/** Readers (§19.2): the settings as signed, or InvalidContentError naming the broken rule. */
export function checkReceivedSettings(settings: WidgetSettings): WidgetSettings {
  check(settings, (rule) => {
    throw new InvalidContentError(`widget configuration refused: ${rule}`);
  });
  return settings;
}

/** Writers (§19.2): UsageError before anything is signed. */
export function checkSettingsToSign(settings: WidgetSettings): void {
  check(settings, (rule) => {
    throw new UsageError(`widget configuration not signed: ${rule}`);
  });
}
