/**
 * The widget settings form: what the agent types (strings, one opening range per weekday) and the
 * signed WidgetConfig it becomes. Every rule is the protocol's own (PROTOCOL §19.2,
 * `widgetSettingsProblems`, the checks the signer and every widget apply), so the form never accepts
 * what the runtime would refuse to sign, and each refusal is shown next to its field.
 */
import {
  type BusinessHoursRange,
  type WidgetSettingsField,
  widgetSettingsProblems,
} from '../../../shared/protocol/index.js';
import type { WidgetConfig } from '../../../shared/runtime/index.js';

export interface DayHoursDraft {
  readonly open: boolean;
  /** `HH:MM`, as an `<input type="time">` gives it. */
  readonly from: string;
  /** `HH:MM`; `00:00` closes at midnight. */
  readonly to: string;
}

export interface WidgetSettingsDraft {
  readonly businessName: string;
  readonly greeting: string;
  readonly colour: string;
  readonly position: WidgetConfig['position'];
  readonly language: string;
  /** Minutes, as typed; '0' shows no reply time. */
  readonly expectedReplyMinutes: string;
  readonly timeZone: string;
  /** Whether the widget keeps to opening hours at all (off: always open). */
  readonly hoursEnabled: boolean;
  /** Index 0 = Sunday … 6 = Saturday, as in the protocol. */
  readonly days: readonly DayHoursDraft[];
  readonly askPrechat: boolean;
  readonly prechatQuestion: string;
}

/** A field of the form that can carry an error: a config field, or one weekday's hours (`day-3`). */
export type DraftField = WidgetSettingsField | `day-${number}`;
export type DraftErrors = Partial<Record<DraftField, string>>;

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
/** What a weekday's row shows when it had no hours yet. */
const DEFAULT_DAY: DayHoursDraft = { open: false, from: '09:00', to: '17:00' };
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function clock(minutes: number): string {
  const m = minutes % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * The form for a published configuration. The form holds one range per weekday: a day with several
 * ranges shows its first, and publishing from the form keeps only that one.
 */
export function draftFromConfig(config: WidgetConfig): WidgetSettingsDraft {
  const days = WEEKDAY_NAMES.map((_, day): DayHoursDraft => {
    const range = config.businessHours.find((r) => r.day === day);
    return range === undefined ? DEFAULT_DAY : { open: true, from: clock(range.from), to: clock(range.to) };
  });
  return {
    businessName: config.businessName,
    greeting: config.greeting,
    colour: config.colour,
    position: config.position,
    language: config.language,
    expectedReplyMinutes: String(config.expectedReplyMinutes),
    timeZone: config.timeZone,
    hoursEnabled: config.businessHours.length > 0,
    days,
    askPrechat: config.prechatQuestion !== undefined,
    prechatQuestion: config.prechatQuestion ?? '',
  };
}

/** A rule of the protocol as a sentence: 'the greeting is empty' → 'The greeting is empty.' */
function sentence(rule: string): string {
  return `${rule.charAt(0).toUpperCase()}${rule.slice(1)}.`;
}

function minutesOf(time: string): number | undefined {
  const match = TIME.exec(time);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
}

/** One weekday's range, or the words of what is wrong with its times. */
function readDay(day: number, draft: DayHoursDraft): BusinessHoursRange | string {
  const from = minutesOf(draft.from);
  const to = minutesOf(draft.to);
  if (from === undefined || to === undefined) return 'Enter an opening and a closing time, such as 09:00 and 17:00.';
  if (from === to) return 'Opening and closing times are the same: the business would never be open that day.';
  // 00:00 as the closing time is midnight at the end of the day (§19.2: `to` 1 to 1,440).
  return { day, from, to: to === 0 ? 1440 : to };
}

/**
 * The configuration the form describes, and an error per field in words (empty: it may be signed).
 * Texts are trimmed and NFC-normalised first, as a person cannot see those differences.
 */
export function readDraft(draft: WidgetSettingsDraft): { readonly config: WidgetConfig; readonly errors: DraftErrors } {
  const errors: DraftErrors = {};
  const businessHours: BusinessHoursRange[] = [];
  if (draft.hoursEnabled) {
    draft.days.forEach((day, index) => {
      if (!day.open) return;
      const range = readDay(index, day);
      if (typeof range === 'string') errors[`day-${index}`] = range;
      else businessHours.push(range);
    });
    if (businessHours.length === 0 && Object.keys(errors).length === 0)
      errors.businessHours = 'Open at least one day, or turn opening hours off to show the chat as always open.';
  }
  const minutesText = draft.expectedReplyMinutes.trim();
  const minutes = /^\d{1,6}$/.test(minutesText) ? Number(minutesText) : Number.NaN;
  const text = (value: string): string => value.trim().normalize('NFC');
  const config: WidgetConfig = {
    businessName: text(draft.businessName),
    greeting: text(draft.greeting),
    colour: draft.colour.trim().toLowerCase(),
    position: draft.position,
    language: draft.language,
    expectedReplyMinutes: minutes,
    businessHours,
    timeZone: draft.timeZone.trim(),
    ...(draft.askPrechat ? { prechatQuestion: text(draft.prechatQuestion) } : {}),
  };
  for (const { field, rule } of widgetSettingsProblems(config)) errors[field] ??= sentence(rule);
  return { config, errors };
}

/** The time zones this browser knows, with UTC first (the widget falls back to UTC for an unknown one). */
export function knownTimeZones(): readonly string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')];
}
