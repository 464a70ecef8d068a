// Business hours and reply time from the signed WidgetConfig, and the readable text colour on the
// business colour (WCAG 2.2 contrast of at least 4.5:1 for every colour).
import { describe, expect, it } from 'vitest';
import { isOpen, localTime, replyTime } from '../../../widget/chat/business-hours.js';
import { ENGLISH } from '../../../widget/chat/texts.js';
import { contrast, textOn } from '../../../widget/look/colour.js';

describe('business hours', () => {
  // Wednesday 2026-12-02 10:30 UTC = 11:30 in Berlin, 05:30 in New York.
  const now = new Date(Date.UTC(2026, 11, 2, 10, 30));
  const weekdays = [1, 2, 3, 4, 5].map((day) => ({ day, from: 9 * 60, to: 17 * 60 }));

  it('reads the weekday and time in the business’s time zone', () => {
    expect(localTime(now, 'Europe/Berlin')).toEqual({ day: 3, minutes: 11 * 60 + 30 });
    expect(localTime(now, 'America/New_York')).toEqual({ day: 3, minutes: 5 * 60 + 30 });
    expect(localTime(now, 'Not/A_Zone')).toEqual({ day: 3, minutes: 10 * 60 + 30 });
  });

  it('is open inside the hours, closed outside, always open without hours', () => {
    expect(isOpen({ businessHours: weekdays, timeZone: 'Europe/Berlin' }, now)).toBe(true);
    expect(isOpen({ businessHours: weekdays, timeZone: 'America/New_York' }, now)).toBe(false);
    expect(isOpen({ businessHours: [], timeZone: 'America/New_York' }, now)).toBe(true);
  });

  it('a range past midnight continues the next day', () => {
    const night = [{ day: 2, from: 22 * 60, to: 6 * 60 }];
    expect(isOpen({ businessHours: night, timeZone: 'America/New_York' }, now)).toBe(true);
    expect(isOpen({ businessHours: night, timeZone: 'Europe/Berlin' }, now)).toBe(false);
  });

  it('words the expected reply time', () => {
    expect(replyTime(0, ENGLISH)).toBe('');
    expect(replyTime(5, ENGLISH)).toBe('Usually replies within 5 minutes');
    expect(replyTime(180, ENGLISH)).toBe('Usually replies within 3 hours');
  });
});

describe('text on the business colour', () => {
  it('reaches 4.5:1 on every colour (a grid over the RGB cube)', () => {
    let worst = Infinity;
    for (let r = 0; r < 256; r += 15)
      for (let g = 0; g < 256; g += 15)
        for (let b = 0; b < 256; b += 15) {
          const hex = `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
          worst = Math.min(worst, contrast(hex, textOn(hex)));
        }
    expect(worst).toBeGreaterThanOrEqual(4.5);
    expect(textOn('#4f46e5')).toBe('#ffffff');
    expect(textOn('#fde047')).toBe('#111827');
  });
});
