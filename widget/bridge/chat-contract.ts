/**
 * What the loader and the chat app agree on. In the default mode the loader loads the chat chunk
 * (pinned by its SRI hash) into the page and mounts it in its closed shadow root; in the isolated mode
 * the frame page mounts the same chat app and talks to the loader over a MessageChannel (frame-messages.ts).
 */
import type { Position, SnippetOptions } from '../snippet/snippet-options.js';
import type { Assets } from './load-pinned.js';

/** The chunk announces its mount function with this event, dispatched on its own `<script>` element. */
export const CHUNK_EVENT = 'sealdesk:chat';

/** The business's colour and side, from the signed widget configuration. */
export interface Look {
  readonly colour: string;
  readonly position: Position;
}

/** What the chat asks of whatever shows it: the loader (default mode) or the frame bridge (isolated mode). */
export interface ChatHost {
  /** The visitor minimised the chat: hide it and give the focus back to the launcher. */
  hide(): void;
  /** Business messages the visitor has not seen yet (the launcher's badge). */
  unread(count: number): void;
  look(look: Look): void;
}

export interface ChatMountContext {
  /** Where the chat draws itself (inside the loader's closed shadow root, or the frame page's). */
  readonly slot: HTMLElement;
  /** The root whose style sheets the chat adds to. */
  readonly root: ShadowRoot;
  readonly options: SnippetOptions;
  /** The host name of the page the chat is on, to name the site in the refusal screen. */
  readonly site: string;
  readonly host: ChatHost;
  /** Where the chat's own pinned files (language packs) are loaded from. */
  readonly assets: Assets;
}

export interface ChatInstance {
  /** The launcher opened the chat: start on first use, focus the composer. */
  show(): void;
  /** The launcher closed the chat. */
  hide(): void;
}

export type MountChat = (context: ChatMountContext) => ChatInstance;
