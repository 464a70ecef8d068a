/**
 * Any error, in words a person can act on: what went wrong and what to do. Never a stack trace,
 * never an internal id. Codes are the stable `code` of SealdeskError subclasses, the runtime's
 * included (they cross the bridge unchanged).
 */
import { SealdeskError } from '../../shared/errors/index.js';
import { InputError } from './app-errors.js';

export interface PersonMessage {
  readonly title: string;
  readonly text: string;
  /** The form field to put the message beside, when one is at fault. */
  readonly field?: string;
}

const BY_CODE: Readonly<Record<string, PersonMessage>> = {
  'runtime-unavailable': {
    title: 'Sealdesk cannot start on this device',
    text: 'This build does not include the part that holds your keys. Install a complete release of Sealdesk.',
  },
  'bridge-disconnected': {
    title: 'Interrupted',
    text: 'Sealdesk restarted its background work during this step. Nothing was lost: try again.',
  },
  'runtime-busy': {
    title: 'Sealdesk is open in another window',
    text: 'Only one window at a time can hold your keys. Close the other window or use Sealdesk there.',
  },
  'permission-denied': {
    title: 'Permission not given',
    text: 'Sealdesk needs this permission for the step. Try again and choose Allow.',
  },
  'relay-unreachable': {
    title: 'The relay cannot be reached',
    text: 'Check the relay address and your connection, then try again.',
    field: 'relayUrl',
  },
  'widget-build-unavailable': {
    title: 'The snippet cannot be made yet',
    text: 'Your relay does not serve the chat widget’s files. Ask whoever runs it to build and serve them (npm run build).',
  },
  'account-key-required': {
    title: 'This device cannot sign the widget’s settings',
    text: 'Settings are signed with the business key, which only the owner’s first device (or one recovered with the recovery key) holds. Publish from that device.',
  },
  'push-unavailable': {
    title: 'This browser cannot receive push notifications',
    text: 'It could not reach its push service, so Sealdesk cannot wake it while the app is closed. You still get notifications while the app is open.',
  },
  'username-taken': {
    title: 'That username is taken',
    text: 'Choose another username for this relay.',
    field: 'username',
  },
  'weak-password': {
    title: 'Choose a stronger password',
    text: 'Use a longer password, for example four or five unrelated words.',
    field: 'password',
  },
  'rate-limited': {
    title: 'Too many attempts',
    text: 'The relay is slowing down attempts from here. Wait a few minutes, then try again.',
  },
  'login-failed': {
    title: 'Not accepted',
    text: 'The username, password or recovery key is not right. Check them and try again.',
  },
  'recovery-key-invalid': {
    title: 'That recovery key does not fit',
    text: 'Check each group against your emergency kit; letters and digits only, spaces do not matter.',
    field: 'recoveryKey',
  },
  'linking-aborted': {
    title: 'Linking stopped',
    text: 'Nothing was shared with the other device. Start again on both devices when you are ready.',
  },
  'linking-mismatch': {
    title: 'The codes did not match',
    text: 'Nothing was shared. Someone may be interfering: start again on both devices, side by side.',
  },
  'pin-mismatch': {
    title: 'This account does not match its fingerprint',
    text: 'The relay served keys that do not belong to your business. Do not continue; tell your administrator.',
  },
  rollback: {
    title: 'The relay served an older device list',
    text: 'Sealdesk kept the newer list. If this repeats, tell your administrator.',
  },
  equivocation: {
    title: 'The relay showed two different device lists',
    text: 'Sealdesk kept the evidence and stopped trusting the relay’s list. Tell your administrator.',
  },
};

export function describeError(error: unknown): PersonMessage {
  if (error instanceof InputError) return { title: 'Check this field', text: error.message, field: error.field };
  if (error instanceof SealdeskError) {
    const known = BY_CODE[error.code];
    if (known !== undefined) return known;
    return { title: 'That did not work', text: error.message };
  }
  // fetch() rejects with a TypeError when the network or the address fails (no response at all).
  if (error instanceof TypeError && /fetch|network/i.test(error.message)) {
    return BY_CODE['relay-unreachable'] ?? { title: 'Network error', text: error.message };
  }
  return {
    title: 'Something went wrong',
    text: 'Sealdesk hit an unexpected problem. Try again; if it keeps happening, reload the page.',
  };
}
