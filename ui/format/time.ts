/** Short, locale-aware times for lists and messages ("now", "14:05", "Mon", "12 Mar"). */
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export function shortTime(at: number, now: number, locale?: string): string {
  const age = now - at;
  if (age < MINUTE) return 'now';
  if (age < 60 * MINUTE) return `${Math.floor(age / MINUTE)} min`;
  const date = new Date(at);
  if (sameDay(date, new Date(now))) return date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (age < 6 * DAY) return date.toLocaleDateString(locale, { weekday: 'short' });
  return date.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
}

export function clockTime(at: number, locale?: string): string {
  return new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

export function dayLabel(at: number, now: number, locale?: string): string {
  const date = new Date(at);
  if (sameDay(date, new Date(now))) return 'Today';
  if (sameDay(date, new Date(now - DAY))) return 'Yesterday';
  return date.toLocaleDateString(locale, { weekday: 'long', day: 'numeric', month: 'long' });
}

export function fullTime(at: number, locale?: string): string {
  return new Date(at).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}
