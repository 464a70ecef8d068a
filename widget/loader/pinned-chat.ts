/**
 * The chat chunk's file name and SHA-384, compiled into the loader by the build
 * (scripts/widget/build-widget.ts, esbuild `define`): the loader runs no chat code it was not built with.
 */
import type { PinnedFile } from '../snippet/widget-manifest.js';

declare const SEALDESK_PINNED_CHAT: PinnedFile;

export const PINNED_CHAT: PinnedFile = SEALDESK_PINNED_CHAT;
