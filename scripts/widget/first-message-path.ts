/**
 * MEASUREMENT ONLY (`npm run size`, never shipped): the functions the visitor runtime calls up to and
 * including the first send — verify the business (directory chain against the pin, the signed widget
 * configuration), fetch prekey bundles, start the conversation (X3DH), store it, encrypt the first
 * message and hand it to the relay connection — and the whole chat UI. Bundled on its own, it is the
 * floor a perfect split of the chat chunk could reach (everything for later — receiving, ordering,
 * acks, attachments, safety code, alert texts — in further chunks), without weakening any check.
 * It names the runtime's internal modules on purpose: the public index would pull in all of them
 * (the one file outside test/unit/runtime the boundary rule lets do so: eslint.config.js).
 */
import {
  businessFingerprint,
  createDirectoryView,
  startVisitorConversation,
  visitorListOf,
} from '../../shared/protocol/index.js';
import { newRecord } from '../../shared/runtime/conversation-record.js';
import { sendStep } from '../../shared/runtime/conversation-steps.js';
import { refreshDirectory } from '../../shared/runtime/directory-sync.js';
import { visitorPlatformFor } from '../../shared/runtime/platform.js';
import { fetchBundles } from '../../shared/runtime/prekey-fetch.js';
import { OpenRefusals } from '../../shared/runtime/relay-refusals.js';
import { indexedDbVisitorStorage } from '../../shared/runtime/runtime-shapes.js';
import { requireSnippetPin } from '../../shared/runtime/snippet-pin.js';
import { readWidgetConfig, seenSettings, storedSeen } from '../../shared/runtime/widget-config-reading.js';
import { RelayConnection } from '../../shared/transport/index.js';
import { handOver } from '../../widget/bridge/load-pinned.js';
import { renderChat } from '../../widget/chat/render-chat.js';

handOver([
  businessFingerprint,
  createDirectoryView,
  startVisitorConversation,
  visitorListOf,
  newRecord,
  sendStep,
  refreshDirectory,
  visitorPlatformFor,
  fetchBundles,
  OpenRefusals,
  indexedDbVisitorStorage,
  requireSnippetPin,
  readWidgetConfig,
  seenSettings,
  storedSeen,
  RelayConnection,
  renderChat,
]);
