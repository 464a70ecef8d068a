// The agent app's own checks before it asks the runtime: relay address, account form, the
// recovery-key check, link invitations, and errors in words a person can act on.
import { describe, expect, it } from 'vitest';
import { RemoteRuntimeError, InputError } from '../../../ui/errors/app-errors.js';
import { describeError } from '../../../ui/errors/describe-error.js';
import { checkAccountForm } from '../../../ui/validation/account-form.js';
import { invitationText, parseInvitation } from '../../../ui/validation/link-invitation.js';
import { checkChallengeAnswer, pickChallenge, recoveryKeyGroups } from '../../../ui/validation/recovery-key-check.js';
import { normaliseRelayUrl, relayOriginPattern } from '../../../ui/validation/relay-url.js';

const FORM = {
  businessName: 'Harbour Dental Clinic',
  ownerName: 'Maria Santos',
  username: 'Harbour-Dental',
  password: 'tide pool lantern orchard',
  passwordAgain: 'tide pool lantern orchard',
};

function fieldOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error.field;
    throw error;
  }
  return undefined;
}

describe('relay address', () => {
  it('takes https addresses, and http only on this computer', () => {
    expect(normaliseRelayUrl(' chat.example.com/ ')).toBe('https://chat.example.com');
    expect(normaliseRelayUrl('https://chat.example.com/sealdesk/')).toBe('https://chat.example.com/sealdesk');
    expect(normaliseRelayUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(relayOriginPattern('https://chat.example.com/sealdesk')).toBe('https://chat.example.com/*');
  });

  it('refuses plain http elsewhere, credentials, queries and non-addresses', () => {
    for (const bad of [
      '',
      'http://chat.example.com',
      'https://u:p@chat.example.com',
      'https://a.b/?x=1',
      'ftp://a.b',
    ]) {
      expect(
        fieldOf(() => normaliseRelayUrl(bad)),
        bad,
      ).toBe('relayUrl');
    }
  });
});

describe('account form', () => {
  it('cleans a good form', () => {
    expect(checkAccountForm(FORM)).toEqual({ ...FORM, username: 'harbour-dental', passwordAgain: undefined });
  });

  it('names the field to fix, first failure first', () => {
    expect(fieldOf(() => checkAccountForm({ ...FORM, businessName: ' ' }))).toBe('businessName');
    expect(fieldOf(() => checkAccountForm({ ...FORM, ownerName: 'Maria\u202eSantos' }))).toBe('ownerName');
    expect(fieldOf(() => checkAccountForm({ ...FORM, username: 'x' }))).toBe('username');
    expect(fieldOf(() => checkAccountForm({ ...FORM, password: 'short', passwordAgain: 'short' }))).toBe('password');
    const fromName = 'harbour-dental-2024!';
    expect(fieldOf(() => checkAccountForm({ ...FORM, password: fromName, passwordAgain: fromName }))).toBe('password');
    expect(fieldOf(() => checkAccountForm({ ...FORM, passwordAgain: 'something else' }))).toBe('passwordAgain');
  });

  it('takes names of up to 64 characters, as the signed device list and widget configuration do (PROTOCOL §4.6, §19.2)', () => {
    expect(checkAccountForm({ ...FORM, businessName: 'é'.repeat(64) }).businessName).toBe('é'.repeat(64));
    expect(fieldOf(() => checkAccountForm({ ...FORM, businessName: 'b'.repeat(65) }))).toBe('businessName');
    expect(fieldOf(() => checkAccountForm({ ...FORM, ownerName: '😀'.repeat(65) }))).toBe('ownerName');
  });
});

describe('recovery key check', () => {
  const key = 'K7QF 2MZP 9TXA 4RWD HB3N 6YCE J8VL 5SGU Q2KT 7FDM X4PA 9WNE B3HR';

  it('asks for two different groups and accepts them typed loosely', () => {
    const groups = recoveryKeyGroups(key);
    expect(groups).toHaveLength(13);
    const challenge = pickChallenge(groups.length);
    expect(new Set(challenge.groups).size).toBe(2);
    const answers = challenge.groups.map((index) => ` ${(groups[index] ?? '').toLowerCase()} `);
    expect(checkChallengeAnswer(key, challenge, answers)).toBe(true);
    expect(checkChallengeAnswer(key, challenge, ['AAAA', 'BBBB'])).toBe(false);
    expect(checkChallengeAnswer(key, challenge, [])).toBe(false);
  });

  it('cuts a key without separators into groups of four', () => {
    expect(recoveryKeyGroups('ABCDEFGHIJ')).toEqual(['ABCD', 'EFGH', 'IJ']);
  });
});

describe('link invitation', () => {
  const code = 'bmaqeaaa3k7tpq2xhr5nwd4czysjl6efugva3mkt7bxp2we5hrd4ncq';

  it('#13.2: round-trips through its text, a web address of the PWA’s link screen with the existing device’s code', () => {
    const invitation = { relayUrl: 'https://chat.example.com', code };
    const text = invitationText(invitation);
    expect(text).toBe(`https://chat.example.com/app/#/link?code=${code}`);
    expect(parseInvitation(`  ${text}\n`)).toEqual(invitation);
    // The code as the runtime returns it (groups of four) goes into the address without spaces.
    const grouped = invitationText({ relayUrl: 'https://chat.example.com', code: 'BMAQ eaaa 3k7t pq2x hr5n' });
    expect(grouped).toBe('https://chat.example.com/app/#/link?code=bmaqeaaa3k7tpq2xhr5n');
  });

  it('refuses anything else with a message saying where to find one', () => {
    for (const bad of [
      '',
      'hello',
      'https://chat.example.com/app/#/link?code=zz',
      'https://chat.example.com/app/#/link?code=' + '1'.repeat(40),
      'https://chat.example.com/app/#/link?account=' + 'a'.repeat(32),
      'http://evil.example/app/#/link?code=' + code,
    ]) {
      expect(
        fieldOf(() => parseInvitation(bad)),
        bad,
      ).toBeDefined();
    }
  });
});

describe('errors in plain words', () => {
  it('maps runtime codes to what to do, and never shows an internal message for unknown failures', () => {
    expect(describeError(new RemoteRuntimeError('username-taken', 'Error', 'x'))).toMatchObject({ field: 'username' });
    expect(describeError(new TypeError('Failed to fetch'))).toMatchObject({ title: 'The relay cannot be reached' });
    const internal = describeError(new Error('TypeError: cannot read properties of undefined at foo.ts:12'));
    expect(internal.text).not.toContain('foo.ts');
    expect(describeError(new RemoteRuntimeError('something-new', 'Error', 'The relay refused the key.')).text).toBe(
      'The relay refused the key.',
    );
  });
});
