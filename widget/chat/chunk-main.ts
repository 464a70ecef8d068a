/**
 * The chat chunk's entry (dist/widget/chat-<hash>.js). The loader loads it through the SHA-384 compiled
 * into the loader; it hands its mount function back with an event on its own script element.
 */
import type { MountChat } from '../bridge/chat-contract.js';
import { handOver } from '../bridge/load-pinned.js';
import { renderChat } from './render-chat.js';
import { widgetRuntimes } from './visitor-runtime-factory.js';

const mount: MountChat = (context) => renderChat(context, widgetRuntimes(context.options));

handOver(mount);
