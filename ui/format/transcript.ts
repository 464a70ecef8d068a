/**
 * A conversation's transcript, made on the device from its decrypted history (issue #15 item 3):
 * plain text for people, JSON for tools. Nothing is sent anywhere; the app saves the file locally.
 * Late messages (arrived after their gap was declared) are listed where they arrived, marked.
 */
import type { ChatMessage } from '../../shared/runtime/index.js';
import { visitorName } from './names.js';

export const TRANSCRIPT_FORMAT = 'sealdesk-transcript/1';

export interface TranscriptSource {
  readonly conversationId: string;
  readonly businessName: string;
  readonly messages: readonly ChatMessage[];
  /** When the transcript was made (milliseconds since the epoch). */
  readonly exportedAt: number;
}

function author(message: ChatMessage, conversationId: string): string {
  if (message.from === 'visitor') return visitorName(conversationId);
  if (message.from === 'self') return message.agentName ?? 'You';
  return message.agentName ?? 'Agent';
}

function bodyText(message: ChatMessage): string {
  switch (message.body.kind) {
    case 'text':
      return message.body.text;
    case 'note':
      return `[internal note] ${message.body.text}`;
    case 'attachment':
      return `[file] ${message.body.attachment.name} (${message.body.attachment.mime}, ${message.body.attachment.size} bytes)`;
    case 'close':
      return `[conversation closed]${message.body.reason === '' ? '' : ` ${message.body.reason}`}`;
  }
}

/** ISO 8601 in UTC, so a transcript reads the same wherever it is opened. */
function isoTime(at: number): string {
  return new Date(at).toISOString();
}

export function transcriptText(source: TranscriptSource): string {
  const lines = [
    `Conversation with ${visitorName(source.conversationId)} — ${source.businessName}`,
    `Conversation id: ${source.conversationId}`,
    `Exported on this device: ${isoTime(source.exportedAt)} (times are UTC, as each sender's clock said)`,
    '',
  ];
  for (const message of source.messages) {
    const late = message.late === true ? ' (arrived late)' : '';
    const [first = '', ...rest] = bodyText(message).split('\n');
    lines.push(`[${isoTime(message.sentAt)}] ${author(message, source.conversationId)}${late}: ${first}`);
    for (const line of rest) lines.push(`    ${line}`);
  }
  return `${lines.join('\n')}\n`;
}

export function transcriptJson(source: TranscriptSource): string {
  return `${JSON.stringify(
    {
      format: TRANSCRIPT_FORMAT,
      conversationId: source.conversationId,
      business: source.businessName,
      exportedAt: isoTime(source.exportedAt),
      messages: source.messages.map((message) => ({
        id: message.id,
        from: message.from,
        author: author(message, source.conversationId),
        senderDeviceId: message.senderDeviceId,
        sentAt: isoTime(message.sentAt),
        receivedAt: isoTime(message.receivedAt),
        ...(message.late === true ? { late: true } : {}),
        ...(message.status === undefined ? {} : { status: message.status }),
        body:
          message.body.kind === 'attachment'
            ? {
                kind: 'attachment',
                name: message.body.attachment.name,
                mime: message.body.attachment.mime,
                size: message.body.attachment.size,
              }
            : message.body,
      })),
    },
    null,
    2,
  )}\n`;
}

/** A file name safe on every system: `sealdesk-<visitor>-<yyyy-mm-dd>.<ext>`. */
export function transcriptFileName(source: TranscriptSource, extension: 'txt' | 'json'): string {
  const visitor = visitorName(source.conversationId).replace(/\s+/g, '-').toLowerCase();
  return `sealdesk-${visitor}-${isoTime(source.exportedAt).slice(0, 10)}.${extension}`;
}
