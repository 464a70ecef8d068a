/**
 * Checks on the account form that the app makes before asking the runtime, so a person learns
 * what to fix at once and no key stretching runs for a form that cannot succeed.
 */
import { DISPLAY_NAME_LIMITS, validateDisplayName } from '../../shared/protocol/index.js';
import { InputError } from '../errors/app-errors.js';

export const PASSWORD_MIN_LENGTH = 12;
const USERNAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;

export interface AccountForm {
  readonly businessName: string;
  readonly ownerName: string;
  readonly username: string;
  readonly password: string;
  readonly passwordAgain: string;
}

/**
 * A name shown to the team and to visitors, checked by the protocol's own rule (PROTOCOL §4.6,
 * `validateDisplayName`: 1–64 characters, no invisible, control or direction-changing characters, no
 * double spaces), after trimming and NFC normalisation; the checked name is what the runtime gets.
 */
export function checkDisplayName(field: string, label: string, value: string): string {
  const name = value.trim().normalize('NFC');
  if (name === '') throw new InputError(field, `Enter ${label}.`);
  if (Array.from(name).length > DISPLAY_NAME_LIMITS.maxCodePoints)
    throw new InputError(field, `Keep ${label} to ${DISPLAY_NAME_LIMITS.maxCodePoints} characters or fewer.`);
  try {
    return validateDisplayName(name);
  } catch {
    throw new InputError(
      field,
      `Remove invisible, control or direction-changing characters and double spaces from ${label}.`,
    );
  }
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
