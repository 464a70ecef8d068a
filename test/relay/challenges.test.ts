/** Device sign-in challenges (relay/auth/challenges.ts): single use, per owner, 60 s, at most 10,000 pending. */
import { describe, expect, it } from 'vitest';
import { ChallengeBook } from '../../relay/auth/challenges.js';

function issued(book: ChallengeBook, owner: string, now: number): Uint8Array {
  const challenge = book.issue(owner, now);
  if (challenge === undefined) throw new Error('no challenge issued');
  return challenge;
}

describe('ChallengeBook', () => {
  it('answers true once for a live challenge of the same owner, false for another owner, a reuse or an expired one', () => {
    const book = new ChallengeBook();
    const a = issued(book, 'acct:dev1', 0);
    const b = issued(book, 'acct:dev2', 10);
    const c = issued(book, 'acct:dev3', 20);
    expect(book.consume(a, 'acct:dev1', 100)).toBe(true);
    expect(book.consume(a, 'acct:dev1', 100)).toBe(false);
    expect(book.consume(b, 'acct:dev1', 100)).toBe(false);
    // Spent by the failed attempt: a guess at the owner burns the challenge.
    expect(book.consume(b, 'acct:dev2', 100)).toBe(false);
    expect(book.consume(c, 'acct:dev3', 60_020)).toBe(false);
  });

  it('#10.8: keeps at most 10,000 and refuses more instead of evicting a live one; expired ones make room', () => {
    const book = new ChallengeBook();
    const first = issued(book, 'victim', 0);
    for (let i = 0; i < 9_999; i++) issued(book, 'flood', 2);
    expect(book.issue('flood', 3)).toBeUndefined();
    expect(book.consume(first, 'victim', 4)).toBe(true);
    const late = issued(book, 'o', 60_003);
    expect(book.consume(late, 'o', 60_004)).toBe(true);
  });
});
