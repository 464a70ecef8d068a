/**
 * Full-text search over this device's own decrypted history (issue #15 item 3), with MiniSearch.
 * Nothing leaves the device: the index is built from the conversation records the runtime already
 * keeps, and cached in the same store (a setting) so a restart does not re-read everything.
 *
 * The index is a cache, never the truth: a missing, unreadable or older-format one is rebuilt, and
 * at every start the messages it lacks (shown after its last save) are added from the records, so
 * a process killed between showing a message and saving the index loses nothing from search.
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import type { SearchHit } from './api-agent.js';
import type { ChatMessage, HexId, MessageId } from './api-common.js';
import type { RuntimeStore } from './runtime-shapes.js';

interface IndexedMessage {
  readonly id: string;
  readonly conversationId: HexId;
  readonly messageId: MessageId;
  readonly from: ChatMessage['from'];
  readonly agentName: string;
  readonly sentAt: number;
  readonly text: string;
}

const SETTING = 'search-index';
/** Bumped when the fields or the tokenizer change: an index of another format is rebuilt. */
const FORMAT = 1;
const MAX_QUERY = 256;
const DEFAULT_LIMIT = 50;

const OPTIONS = {
  fields: ['text', 'agentName'],
  storeFields: ['conversationId', 'messageId', 'from', 'agentName', 'sentAt', 'text'],
  searchOptions: { prefix: true, fuzzy: 0.2, combineWith: 'AND' as const, boost: { text: 2 } },
};

/** What of a message is searchable; undefined for what is not (a conversation's close). */
function searchableText(message: ChatMessage): string | undefined {
  switch (message.body.kind) {
    case 'text':
    case 'note':
      return message.body.text;
    case 'attachment':
      return message.body.attachment.name;
    case 'close':
      return undefined;
  }
}

function documentOf(message: ChatMessage): IndexedMessage | undefined {
  const text = searchableText(message);
  if (text === undefined || text.trim() === '') return undefined;
  return {
    id: `${message.conversationId}/${message.id}`,
    conversationId: message.conversationId,
    messageId: message.id,
    from: message.from,
    agentName: message.agentName ?? '',
    sentAt: message.sentAt,
    text,
  };
}

function senderOf(value: unknown): ChatMessage['from'] {
  return value === 'self' || value === 'agent' ? value : 'visitor';
}

/** MiniSearch hands the stored fields back untyped (`any`): they are read as `unknown` and checked. */
function hitOf(result: SearchResult): { readonly hit: SearchHit; readonly score: number } {
  const fields: Readonly<Record<string, unknown>> = result;
  const text = (name: string): string => {
    const value = fields[name];
    return typeof value === 'string' ? value : '';
  };
  const agentName = text('agentName');
  const sentAt = fields['sentAt'];
  const hit: SearchHit = {
    conversationId: text('conversationId'),
    messageId: text('messageId'),
    from: senderOf(fields['from']),
    ...(agentName === '' ? {} : { agentName }),
    sentAt: typeof sentAt === 'number' ? sentAt : 0,
    text: text('text'),
    terms: result.terms,
  };
  return { hit, score: result.score };
}

export class MessageSearch {
  readonly #store: RuntimeStore;
  readonly #allMessages: () => Promise<readonly ChatMessage[]>;
  #index: Promise<MiniSearch<IndexedMessage>> | undefined;
  #unsaved = false;

  /** `allMessages` reads every shown message from the conversation records (the rebuild source). */
  constructor(store: RuntimeStore, allMessages: () => Promise<readonly ChatMessage[]>) {
    this.#store = store;
    this.#allMessages = allMessages;
  }

  /** A message was shown: indexed if the index is loaded (otherwise the next load catches it up). */
  add(message: ChatMessage): void {
    this.addAll([message]);
  }

  /** Messages shown or read from the archive; those the index already holds are skipped. */
  addAll(messages: readonly ChatMessage[]): void {
    if (this.#index === undefined) return;
    void this.#index.then((index) => {
      for (const message of messages) {
        const doc = documentOf(message);
        if (doc === undefined || index.has(doc.id)) continue;
        index.add(doc);
        this.#unsaved = true;
      }
    });
  }

  /** Newest first among equally good matches; at most `limit` hits. An empty query finds nothing. */
  async search(query: string, limit = DEFAULT_LIMIT): Promise<readonly SearchHit[]> {
    const trimmed = query.trim().slice(0, MAX_QUERY);
    const index = await this.#loaded();
    await this.#saveIfChanged(index);
    if (trimmed === '') return [];
    return index
      .search(trimmed)
      .map(hitOf)
      .sort((a, b) => b.score - a.score || b.hit.sentAt - a.hit.sentAt)
      .slice(0, Math.max(1, Math.min(limit, 500)))
      .map((ranked) => ranked.hit);
  }

  /** Forgets the cached index (the device is reset or the account left). */
  async clear(): Promise<void> {
    this.#index = undefined;
    await this.#store.commit({ settings: [{ name: SETTING, value: undefined }] });
  }

  #loaded(): Promise<MiniSearch<IndexedMessage>> {
    this.#index ??= this.#load();
    return this.#index;
  }

  async #load(): Promise<MiniSearch<IndexedMessage>> {
    const index = await this.#cached();
    for (const message of await this.#allMessages()) {
      const doc = documentOf(message);
      if (doc !== undefined && !index.has(doc.id)) {
        index.add(doc);
        this.#unsaved = true;
      }
    }
    return index;
  }

  /** The saved index, or an empty one when there is none or it cannot be read (then rebuilt). */
  async #cached(): Promise<MiniSearch<IndexedMessage>> {
    const saved = await this.#store.setting(SETTING);
    if (typeof saved === 'string') {
      try {
        const parsed = JSON.parse(saved) as unknown;
        if (typeof parsed === 'object' && parsed !== null && 'format' in parsed && parsed.format === FORMAT) {
          if ('index' in parsed && typeof parsed.index === 'string') {
            return MiniSearch.loadJSON<IndexedMessage>(parsed.index, OPTIONS);
          }
        }
      } catch {
        // A damaged cache: rebuilt below from the records, which are the truth.
      }
    }
    this.#unsaved = true;
    return new MiniSearch<IndexedMessage>(OPTIONS);
  }

  async #saveIfChanged(index: MiniSearch<IndexedMessage>): Promise<void> {
    if (!this.#unsaved) return;
    this.#unsaved = false;
    const value = JSON.stringify({ format: FORMAT, index: JSON.stringify(index) });
    await this.#store.commit({ settings: [{ name: SETTING, value }] });
  }
}
