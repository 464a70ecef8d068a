/**
 * Issue #16 item 2: the alert log's cap (the newest ALERT_LOG_LIMIT, oldest dropped), one entry per
 * alert id, and the account log's setting read defensively (nothing stored, another version or
 * text that is no log reads as no alerts). A conversation record saved before `alerts` existed is
 * read back by a real runtime in test/runtime/alerts.test.ts. Dismissals are a mark on the kept
 * alert: read back from the account log, and a bad mark is a bad entry.
 */
import { describe, expect, it } from 'vitest';
import { secureRandom } from '../../../shared/crypto/index.js';
import type { PlainAlert } from '../../../shared/runtime/index.js';
import {
  ALERT_LOG_LIMIT,
  appendAlerts,
  decodeAccountAlerts,
  dismissIn,
  encodeAccountAlerts,
  withAlertId,
} from '../../../shared/runtime/alert-log.js';

function alert(n: number, conversationId?: string): PlainAlert {
  return {
    kind: 'gap',
    severity: 'warning',
    title: `alert ${n}`,
    text: 'An earlier message never arrived.',
    id: n.toString(16).padStart(16, '0'),
    ...(conversationId === undefined ? {} : { conversationId }),
  };
}

describe('#16.2: the alert log', () => {
  it('keeps the newest ALERT_LOG_LIMIT alerts, oldest dropped first', () => {
    let kept: readonly PlainAlert[] = [];
    for (let n = 0; n < ALERT_LOG_LIMIT + 10; n++) kept = appendAlerts(kept, [alert(n)]);
    expect(ALERT_LOG_LIMIT).toBe(50);
    expect(kept).toHaveLength(ALERT_LOG_LIMIT);
    expect(kept[0]?.title).toBe('alert 10');
    expect(kept.at(-1)?.title).toBe(`alert ${ALERT_LOG_LIMIT + 9}`);
    // A batch larger than the cap keeps its own newest entries.
    const batch = Array.from({ length: 70 }, (_, n) => alert(1000 + n));
    expect(appendAlerts(kept, batch).map((a) => a.title)).toEqual(batch.slice(-50).map((a) => a.title));
  });

  it('keeps an alert once: the same id again is not added', () => {
    const once = appendAlerts([], [alert(1), alert(2)]);
    expect(appendAlerts(once, [alert(2), alert(3)]).map((a) => a.title)).toEqual(['alert 1', 'alert 2', 'alert 3']);
  });

  it('gives an alert a random 16-hex-digit id once, and keeps an id it has', () => {
    const { id, ...bare } = alert(1);
    expect(id).toBeDefined();
    const a = withAlertId(bare, secureRandom);
    const b = withAlertId(bare, secureRandom);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(b.id).not.toBe(a.id);
    expect(withAlertId(a, secureRandom).id).toBe(a.id);
  });

  it('reads the account log back, capped, with a conversation id where it had one', () => {
    const alerts = Array.from({ length: 60 }, (_, n) => alert(n, n % 2 === 0 ? 'c'.repeat(32) : undefined));
    const read = decodeAccountAlerts(encodeAccountAlerts(alerts));
    expect(read).toEqual(alerts.slice(-50));
  });

  it('reads no alerts from nothing stored, another version or text that is no log; skips bad entries', () => {
    expect(decodeAccountAlerts(undefined)).toEqual([]);
    expect(decodeAccountAlerts(7)).toEqual([]);
    expect(decodeAccountAlerts('not json {')).toEqual([]);
    expect(decodeAccountAlerts('[]')).toEqual([]);
    expect(decodeAccountAlerts(JSON.stringify({ version: 2, alerts: [alert(1)] }))).toEqual([]);
    expect(decodeAccountAlerts(JSON.stringify({ version: 1, alerts: 'x' }))).toEqual([]);
    const mixed = [
      alert(1),
      { ...alert(2), severity: 'panic' },
      { ...alert(3), title: 3 },
      { ...alert(4), conversationId: 4 },
      null,
      'alert',
      alert(5),
    ];
    expect(decodeAccountAlerts(JSON.stringify({ version: 1, alerts: mixed })).map((a) => a.title)).toEqual([
      'alert 1',
      'alert 5',
    ]);
  });

  it('marks a dismissed alert in place, keeps the log otherwise, and reads the mark back', () => {
    const log = [alert(1), alert(2), alert(3)];
    const dismissed = dismissIn(log, alert(2).id ?? '');
    expect(dismissed.map((a) => a.dismissed)).toEqual([undefined, true, undefined]);
    expect(dismissIn(dismissed, alert(2).id ?? '')).toBe(dismissed);
    expect(dismissIn(log, 'ffffffffffffffff')).toBe(log);
    expect(decodeAccountAlerts(encodeAccountAlerts(dismissed))).toEqual(dismissed);
    // A dismissed alert is still one entry: appending it again adds nothing.
    expect(appendAlerts(dismissed, [alert(2)])).toEqual(dismissed);
    const badMark = JSON.stringify({ version: 1, alerts: [{ ...alert(1), dismissed: 'yes' }, alert(2)] });
    expect(decodeAccountAlerts(badMark)).toEqual([alert(2)]);
  });
});
