/**
 * Protocol alerts (shared/protocol core/alerts.ts, PROTOCOL §7.8) in words a person can act on.
 * The protocol's kind is kept for tests and logs; ids, counters and suspects stay out of the text.
 */
import { DecodeError, SignatureError } from '../errors/index.js';
import {
  ALERT_KINDS,
  type AlertKind,
  EquivocationError,
  PinMismatchError,
  RollbackError,
  type SecurityAlert,
} from '../protocol/index.js';
import { idToHex } from '../wire/index.js';
import { ALERT_SEVERITIES, type AlertSeverity, type PlainAlert } from './api-common.js';

interface Wording {
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly text: string;
}

const RELAY_OR_DEVICE = 'This can be a network fault or someone tampering with the service.';

const WORDING: Readonly<Record<AlertKind, Wording>> = {
  [ALERT_KINDS.gap]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'A message may be missing',
    text: `An earlier message never arrived. ${RELAY_OR_DEVICE} Ask the other side to repeat anything important.`,
  },
  [ALERT_KINDS.replay]: {
    severity: ALERT_SEVERITIES.info,
    title: 'A repeated message was ignored',
    text: 'A message that was already shown arrived again and was not shown twice. Nothing to do.',
  },
  [ALERT_KINDS.fork]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'Two versions of a message',
    text: 'Two different messages claim the same place in the conversation. Do not trust the later one; check with the other side in person or by phone.',
  },
  [ALERT_KINDS.deviceDivergence]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'Team devices saw different messages',
    text: `Another device of the team did not get the same messages as this one. ${RELAY_OR_DEVICE}`,
  },
  [ALERT_KINDS.pinMismatch]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'This is not the business you expect',
    text: 'The keys offered do not match the fingerprint this website pinned. Do not send anything; tell the business.',
  },
  [ALERT_KINDS.rollback]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'An old team list was offered',
    text: 'The service offered an older list of team devices than one already seen, perhaps to bring back a removed device. It was refused.',
  },
  [ALERT_KINDS.equivocation]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'Two different team lists',
    text: 'The service showed two different lists of team devices for the same version. Proof was kept; tell the business.',
  },
  [ALERT_KINDS.badSignature]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'A forged key was refused',
    text: `A key or list did not carry a valid signature and was not used. ${RELAY_OR_DEVICE}`,
  },
  [ALERT_KINDS.forged]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'A forged message was refused',
    text: `A message failed its check and was not shown. ${RELAY_OR_DEVICE}`,
  },
  [ALERT_KINDS.staleSignedPrekey]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'A team device has outdated keys',
    text: 'One team device offered keys that are too old; it will not receive this conversation until it comes online again.',
  },
  [ALERT_KINDS.prekeyReuse]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'A one-use key was offered twice',
    text: `A key meant for one conversation was handed out twice and the message using it was refused. ${RELAY_OR_DEVICE}`,
  },
  [ALERT_KINDS.missingClose]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'The conversation ended without a goodbye',
    text: 'The conversation ended but the other side never closed it. The last messages may be missing.',
  },
  [ALERT_KINDS.attachmentTampered]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'A file was damaged or altered',
    text: 'A file did not match what its sender sent and was not opened. Ask for it again.',
  },
  [ALERT_KINDS.linkingMismatch]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'The codes did not match',
    text: 'Someone may be between the two devices. Nothing was shared; start linking again on a network you trust.',
  },
  [ALERT_KINDS.downgrade]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'An older protocol was refused',
    text: `A message used an older protocol than this conversation and was refused. ${RELAY_OR_DEVICE}`,
  },
  [ALERT_KINDS.misrouted]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'A message for someone else arrived',
    text: 'The service delivered a message meant for another conversation or device. It was not shown.',
  },
  [ALERT_KINDS.absurdSkip]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'A message jumped too far ahead',
    text: `A message claimed that very many earlier ones were missing and was refused. ${RELAY_OR_DEVICE}`,
  },
  [ALERT_KINDS.badPrekey]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'A weak key was refused',
    text: 'A team device offered a key that would make encryption worthless; that device is left out of this conversation.',
  },
  [ALERT_KINDS.invalidAck]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'A confirmation did not add up',
    text: 'The other side confirmed a message that was never sent from here. Check with them.',
  },
  [ALERT_KINDS.truncation]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'Your last messages may not have arrived',
    text: 'The other side closed the conversation before receiving everything sent from here.',
  },
  [ALERT_KINDS.invalidContent]: {
    severity: ALERT_SEVERITIES.warning,
    title: 'A malformed message was refused',
    text: 'A message broke the rules of its kind (for example a file with a bad name) and was not shown.',
  },
  [ALERT_KINDS.recoveryOverride]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'The account key was replaced with the recovery key',
    text: 'The owner used the recovery key to take the account back: changes signed with the old account key after that point were undone. If nobody on the team did this, contact the owner at once.',
  },
  [ALERT_KINDS.listExpired]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'The team list is out of date',
    text: `The newest list of team devices has expired and no newer one arrived. ${RELAY_OR_DEVICE} Messages are not sent until a current list arrives.`,
  },
  [ALERT_KINDS.recoveryKeyChange]: {
    severity: ALERT_SEVERITIES.danger,
    title: 'The recovery key was changed without the recovery key',
    text: `A list of team devices tried to change the account's recovery key without proof from the old one and was refused. ${RELAY_OR_DEVICE}`,
  },
};

export function plainAlert(alert: SecurityAlert): PlainAlert {
  const wording = WORDING[alert.kind];
  return {
    kind: alert.kind,
    severity: wording.severity,
    title: wording.title,
    text: wording.text,
    ...(alert.conversationId === undefined ? {} : { conversationId: idToHex(alert.conversationId) }),
  };
}

/** A failure that is not a protocol alert (the relay refused a message, a file could not be sent). */
export function problemAlert(title: string, text: string, conversationId?: string): PlainAlert {
  return {
    kind: 'problem',
    severity: ALERT_SEVERITIES.warning,
    title,
    text,
    ...(conversationId === undefined ? {} : { conversationId }),
  };
}

/** Alerts the runtime raises itself, beyond the protocol's kinds (PROTOCOL §5.1, §19.3). */
export const RUNTIME_ALERT_KINDS = {
  /** The signed widget configuration was refused: the widget does not start (§19.3). */
  configRefused: 'config-refused',
  /** No agent device's prekey bundle verified: no conversation starts, nothing is sent (§5.1). */
  keysRefused: 'keys-refused',
} as const;

const NOTHING_SENT = 'The chat did not start and nothing was sent.';

/**
 * The alert for a refused widget configuration: forged (not signed by the business, another
 * business's, malformed) or rolled back (older than one this browser accepted, or two versions
 * under one number). Undefined for an error that is not a refusal (the network, the relay).
 */
export function configRefusedAlert(error: unknown): PlainAlert | undefined {
  const rolledBack = error instanceof RollbackError || error instanceof EquivocationError;
  const forged = error instanceof SignatureError || error instanceof PinMismatchError || error instanceof DecodeError;
  if (!rolledBack && !forged) return undefined;
  return {
    kind: RUNTIME_ALERT_KINDS.configRefused,
    severity: ALERT_SEVERITIES.danger,
    title: rolledBack ? 'Old chat settings were offered' : 'The chat’s settings were forged',
    text: rolledBack
      ? `The service offered older settings for this chat than this browser already saw, perhaps to undo a change the business made. ${NOTHING_SENT}`
      : `The service offered settings for this chat that the business did not sign. ${NOTHING_SENT} ${RELAY_OR_DEVICE}`,
  };
}

/** The alert when every prekey bundle the relay served failed its signature or key checks. */
export function keysRefusedAlert(): PlainAlert {
  return {
    kind: RUNTIME_ALERT_KINDS.keysRefused,
    severity: ALERT_SEVERITIES.danger,
    title: 'The relay served keys that are not the business’s',
    text: `None of the keys offered for the business’s team carried a valid signature of the business (or each was unusable), so nothing was encrypted to them and nothing was sent. ${RELAY_OR_DEVICE}`,
  };
}
