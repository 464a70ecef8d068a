/** Device sign-in challenges (relay/auth/challenges.ts): single use, per owner, 60 s, at most 10,000 pending. */
import { describe, expect, it } from 'vitest';
import { ChallengeBook } from '../../relay/auth/challenges.js';

describe('ChallengeBook', () => {
  it('answers true once for a live challenge of the same owner, false for another owner, a reuse or an expired one', () => {
    const book = new ChallengeBook();
    const a = book.issue('acct:dev1', 0);
    const b = book.issue('acct:dev2', 10);
    const c = book.issue('acct:dev3', 20);
    expect(book.consume(a, 'acct:dev1', 100)).toBe(true);
    expect(book.consume(a, 'acct:dev1', 100)).toBe(false);
    expect(book.consume(b, 'acct:dev1', 100)).toBe(false);
    // Spent by the failed attempt: a guess at the owner burns the challenge.
    expect(book.consume(b, 'acct:dev2', 100)).toBe(false);
    expect(book.consume(c, 'acct:dev3', 60_020)).toBe(false);
  });

  it('drops expired challenges as new ones are issued, and keeps at most 10,000 (the oldest goes first)', () => {
    const book = new ChallengeBook();
    const first = book.issue('o', 0);
    const second = book.issue('o', 1);
    for (let i = 0; i < 9_999; i++) book.issue('o', 2);
    expect(book.consume(first, 'o', 3)).toBe(false);
    expect(book.consume(second, 'o', 3)).toBe(true);
    const late = book.issue('o', 60_002);
    expect(book.consume(late, 'o', 60_003)).toBe(true);
  });
});
