export { InvalidSnippetError } from './snippet-errors.js';
export {
  POSITIONS,
  SNIPPET_KEYS,
  WIDGET_MODES,
  checkAddress,
  formatPin,
  parseSnippet,
  snippetRecord,
  type Position,
  type SnippetOptions,
  type SnippetRecord,
  type WidgetMode,
} from './snippet-options.js';
export { escapeAttribute, snippetAttributes, snippetTag, widgetBase } from './snippet-tag.js';
export { parseWidgetManifest, type PinnedFile, type WidgetManifest } from './widget-manifest.js';
