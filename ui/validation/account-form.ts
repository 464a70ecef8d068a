/**
 * Checks on the account form that the app makes before asking the runtime, so a person learns
 * what to fix at once and no key stretching runs for a form that cannot succeed.
 */
import { InputError } from '../errors/app-errors.js';

export const PASSWORD_MIN_LENGTH = 12;
const NAME_MAX_LENGTH = 80;
// Control, bidi-override and zero-width characters would let a name look like another one.
const UNSAFE_CHARACTERS = /[\p{Cc}\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;
const USERNAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;

export interface AccountForm {
  readonly businessName: string;
  readonly ownerName: string;
  readonly username: string;
  readonly password: string;
  readonly passwordAgain: string;
}

export function checkDisplayName(field: string, label: string, value: string): string {
  const name = value.trim();
  if (name === '') throw new InputError(field, `Enter ${label}.`);
  if (name.length > NAME_MAX_LENGTH) throw new InputError(field, `Keep ${label} under ${NAME_MAX_LENGTH} characters.`);
  if (UNSAFE_CHARACTERS.test(name)) {
    throw new InputError(field, `Remove invisible or direction-changing characters from ${label}.`);
  }
  return name;
}

export function checkUsername(value: string): string {
  const username = value.trim().toLowerCase();
  if (!USERNAME.test(username)) {
    throw new InputError(
      'username',
      'Use 3 to 64 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit.',
    );
  }
  return username;
}

export function checkNewPassword(password: string, again: string, avoid: readonly string[]): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new InputError(
      'password',
      `Use at least ${PASSWORD_MIN_LENGTH} characters: a few unrelated words work well.`,
    );
  }
  const lower = password.toLowerCase();
  for (const word of avoid) {
    if (word.length >= 3 && lower.includes(word.toLowerCase())) {
      throw new InputError('password', 'Do not build the password from the business name or your username.');
    }
  }
  if (new Set(password).size < 5) throw new InputError('password', 'Use more different characters in the password.');
  if (password !== again) throw new InputError('passwordAgain', 'The two passwords are not the same.');
}

/** All checks of the account form, first failure first; returns the cleaned values. */
export function checkAccountForm(form: AccountForm): Omit<AccountForm, 'passwordAgain'> {
  const businessName = checkDisplayName('businessName', 'the business name', form.businessName);
  const ownerName = checkDisplayName('ownerName', 'your name', form.ownerName);
  const username = checkUsername(form.username);
  checkNewPassword(form.password, form.passwordAgain, [businessName, username]);
  return { businessName, ownerName, username, password: form.password };
}
