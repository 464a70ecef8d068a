/**
 * The chat's words in English, built into the chat chunk. Other languages are pinned language packs
 * (texts-<language>.ts, loaded by language.ts). `{name}` marks a value filled in by `fill`.
 */
const EN = {
  title: 'Chat with {business}',
  minimise: 'Minimise chat',
  end: 'End chat',
  verified: 'End-to-end encrypted with {business} — verified',
  details: 'Encryption details',
  detailsText:
    'Messages in this chat are encrypted on your device. Only {business}’s team can read them — not the chat service, not this website’s other scripts.',
  fingerprint: 'Business key fingerprint',
  fingerprintText: 'This is the key this website published for {business}. The chat checked it before starting.',
  showCode: 'Show safety code',
  code: 'Safety code for this conversation',
  codeText:
    'Ask {business} to read you the code their app shows for this conversation. If it is the same, nobody is listening in.',
  codeLater: 'The safety code appears after your first message.',
  back: 'Back',
  online: 'Online',
  awayShort: 'Away',
  away: 'Away right now — leave a message and we’ll reply when we’re back.',
  replyMinutes: 'Usually replies within {n} minutes',
  replyHours: 'Usually replies within {n} hours',
  answer: 'Your answer',
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  attach: 'Attach a file',
  uploading: 'Sending {name}',
  notSent: 'Not sent',
  retry: 'Try again',
  sending: 'Sending',
  stored: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  typing: '{name} is typing…',
  you: 'You',
  announce: '{name}: {text}',
  file: 'File: {name}',
  download: 'Download {name} ({size})',
  late: 'Arrived late',
  dismiss: 'Dismiss',
  reconnecting: 'Reconnecting…',
  offline: 'You’re offline. Your messages will be sent when you’re back online.',
  endedAgent: '{business} ended this conversation.',
  endedSelf: 'You ended this conversation.',
  endTitle: 'End this conversation?',
  endText: 'You can also erase it from this browser, so that nobody else using this device can see it.',
  endErase: 'End and erase from this browser',
  endKeep: 'End and keep it here',
  erase: 'Erase from this browser',
  erased: 'The conversation was erased from this browser.',
  cancel: 'Cancel',
  connecting: 'Connecting securely…',
  refusalTitle: 'This chat can’t be verified',
  refusalPin:
    'The chat service presented a key for {site} that is not the one this website published. To protect you, the chat did not start and nothing was sent.',
  refusalList:
    'The chat service showed an outdated or inconsistent list of {site}’s devices. To protect you, the chat did not start and nothing was sent.',
  refusalAdvice: 'To reach {site}, use another way (phone or email) and tell them about the key details below.',
  pinned: 'Key this website published',
  served: 'Key the chat service presented',
  unavailable: 'Chat unavailable',
  unavailableText: 'The chat could not start. Check your connection and try again.',
  staleTitle: 'Your earlier chat can’t be opened',
  staleText:
    'This browser keeps an earlier chat with {site} in a form this version of the chat can’t read. You can start a new chat; the earlier one is then erased from this browser.',
  startAfresh: 'Start a new chat',
  footer: 'End-to-end encrypted · Sealdesk',
  team: 'Support',
};

export type Texts = typeof EN;

export const ENGLISH: Texts = EN;

/** A language pack handed over by a pinned file: every text of English, as a string. */
export function isTexts(value: unknown): value is Texts {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(EN).every((key) => typeof Reflect.get(value, key) === 'string')
  );
}

/** Replaces each `{key}` in `text` with its value. */
export function fill(text: string, values: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => String(values[key] ?? whole));
}

/** The primary language subtag of a BCP 47 tag, lower case ("de-CH" → "de"): the name of its pack. */
export function primaryLanguage(tag: string): string {
  return tag.toLowerCase().split('-')[0] ?? '';
}
