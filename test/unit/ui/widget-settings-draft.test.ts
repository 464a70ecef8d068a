// The widget settings form's glue (ui/views/business/widget-settings-draft.ts): it turns what the
// agent typed into the WidgetConfig to sign, and reports each broken rule of PROTOCOL §19.2 next to
// its field, with the protocol's own checks (so it never accepts what the signer refuses).
import { describe, expect, it } from 'vitest';
import { checkSettingsToSign, widgetSettingsProblems } from '../../../shared/protocol/index.js';
import { defaultWidgetConfig, type WidgetConfig } from '../../../shared/runtime/index.js';
import { colourAdvice } from '../../../ui/views/business/widget-look.js';
import {
  draftFromConfig,
  readDraft,
  type WidgetSettingsDraft,
} from '../../../ui/views/business/widget-settings-draft.js';

const CONFIG: WidgetConfig = {
  ...defaultWidgetConfig(),
  businessName: 'Harbour Dental',
  greeting: 'Hello! How can we help?',
  colour: '#0f766e',
  position: 'bottom-left',
  language: 'de',
  expectedReplyMinutes: 30,
  timeZone: 'Europe/Lisbon',
  businessHours: [
    { day: 1, from: 540, to: 1020 },
    { day: 5, from: 1320, to: 120 },
    { day: 6, from: 600, to: 1440 },
  ],
  prechatQuestion: 'What is your order number?',
};

function edit(change: Partial<WidgetSettingsDraft>): ReturnType<typeof readDraft> {
  return readDraft({ ...draftFromConfig(CONFIG), ...change });
}

describe('widget settings form', () => {
  it('reads a published configuration back unchanged, ready to sign', () => {
    const { config, errors } = readDraft(draftFromConfig(CONFIG));
    expect(errors).toEqual({});
    expect(config).toEqual(CONFIG);
    expect(() => {
      checkSettingsToSign(config);
    }).not.toThrow();
  });

  it('shows each broken rule next to its own field, several at once', () => {
    const { errors } = edit({ greeting: '   ', colour: '#12345', expectedReplyMinutes: '20000' });
    expect(errors.greeting).toBe('The greeting is empty.');
    expect(errors.colour).toMatch(/^The colour is not of the form #rrggbb/);
    expect(errors.expectedReplyMinutes).toBe('The expected reply time must be 0 to 10080 whole minutes.');
    expect(Object.keys(errors).sort()).toEqual(['colour', 'expectedReplyMinutes', 'greeting']);
  });

  it('refuses what the protocol refuses, with the protocol’s words (no second copy of the rules)', () => {
    const greeting = 'Hi\u200bthere';
    const { config, errors } = edit({ greeting });
    expect(errors.greeting).toBe('The greeting contains a control, format or invisible character.');
    expect(widgetSettingsProblems(config)).toEqual([
      { field: 'greeting', rule: 'the greeting contains a control, format or invisible character' },
    ]);
    expect(() => {
      checkSettingsToSign(config);
    }).toThrow(/invisible character/);
    expect(edit({ greeting: 'x'.repeat(281) }).errors.greeting).toBe('The greeting is longer than 280 characters.');
    expect(edit({ greeting: 'x'.repeat(280) }).errors.greeting).toBeUndefined();
  });

  it('trims and NFC-normalises texts, lower-cases the colour', () => {
    const { config, errors } = edit({ greeting: '  Cafe\u0301 open  ', colour: '#0F766E' });
    expect(errors).toEqual({});
    expect(config.greeting).toBe('Café open');
    expect(config.colour).toBe('#0f766e');
  });

  it('turns weekday rows into ranges: midnight closing is 1440, a closed day has none', () => {
    const draft = draftFromConfig(CONFIG);
    expect(draft.days[6]).toEqual({ open: true, from: '10:00', to: '00:00' });
    expect(draft.days[0]?.open).toBe(false);
    const days = draft.days.map((day, index) => (index === 1 ? { ...day, open: false } : day));
    expect(readDraft({ ...draft, days }).config.businessHours).toEqual([
      { day: 5, from: 1320, to: 120 },
      { day: 6, from: 600, to: 1440 },
    ]);
  });

  it('names the weekday whose times are wrong, and asks for one open day', () => {
    const draft = draftFromConfig(CONFIG);
    const same = draft.days.map((day, index) => (index === 1 ? { ...day, to: '09:00' } : day));
    expect(readDraft({ ...draft, days: same }).errors['day-1']).toMatch(/same/);
    const empty = draft.days.map((day, index) => (index === 5 ? { ...day, from: '' } : day));
    expect(readDraft({ ...draft, days: empty }).errors['day-5']).toMatch(/opening and a closing time/);
    const closed = draft.days.map((day) => ({ ...day, open: false }));
    expect(readDraft({ ...draft, days: closed }).errors.businessHours).toMatch(/at least one day/);
    expect(readDraft({ ...draft, days: closed, hoursEnabled: false }).config.businessHours).toEqual([]);
  });

  it('leaves the pre-chat question out when it is off, and checks it when on', () => {
    expect(edit({ askPrechat: false }).config.prechatQuestion).toBeUndefined();
    expect(edit({ prechatQuestion: '' }).errors.prechatQuestion).toBe('The pre-chat question is empty.');
  });

  it('refuses a time zone that is not an IANA name', () => {
    expect(edit({ timeZone: 'Lisbon time' }).errors.timeZone).toMatch(/IANA name/);
  });
});

describe('colour advice (WCAG 2.2 AA)', () => {
  it('picks the readable text colour and says nothing for a strong colour', () => {
    const advice = colourAdvice('#0f766e');
    expect(advice.textColour).toBe('#ffffff');
    expect(advice.textContrast).toBeGreaterThanOrEqual(4.5);
    expect(advice.warnings).toEqual([]);
  });

  it('warns in words about a pale colour on a white page and a dark one on a dark page', () => {
    expect(colourAdvice('#fde68a').warnings.join(' ')).toMatch(/hard to see on a white page/);
    expect(colourAdvice('#fde68a').textColour).toBe('#111827');
    expect(colourAdvice('#1e1b4b').warnings.join(' ')).toMatch(/hard to see on a dark page/);
  });
});
