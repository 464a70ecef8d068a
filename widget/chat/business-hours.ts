/**
 * Business hours and the expected reply time from the signed WidgetConfig (product brief: "business
 * hours"; "expected-reply-time note"). Hours are minutes after midnight in the business's time zone.
 */
import type { WidgetConfig } from '../../shared/runtime/index.js';
import { fill, type Texts } from './texts.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Weekday (0 = Sunday) and minutes after midnight of `now` in `timeZone` (UTC if the zone is unknown). */
export function localTime(now: Date, timeZone: string): { readonly day: number; readonly minutes: number } {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
  } catch {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: 'UTC',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
  }
  const parts = new Map(format.formatToParts(now).map((p) => [p.type, p.value]));
  const day = WEEKDAYS.indexOf(parts.get('weekday') ?? '');
  return { day, minutes: Number(parts.get('hour')) * 60 + Number(parts.get('minute')) };
}

/** Whether the business is open at `now`; no hours means always open. A range past midnight continues the next day. */
export function isOpen(config: Pick<WidgetConfig, 'businessHours' | 'timeZone'>, now: Date): boolean {
  if (config.businessHours.length === 0) return true;
  const { day, minutes } = localTime(now, config.timeZone);
  return config.businessHours.some(({ day: d, from, to }) =>
    from < to
      ? d === day && minutes >= from && minutes < to
      : (d === day && minutes >= from) || ((d + 1) % 7 === day && minutes < to),
  );
}

/** "Usually replies within …", or '' when the business shows no reply time. */
export function replyTime(minutes: number, texts: Texts): string {
  if (!(minutes > 0)) return '';
  return minutes < 120
    ? fill(texts.replyMinutes, { n: Math.round(minutes) })
    : fill(texts.replyHours, { n: Math.round(minutes / 60) });
}
