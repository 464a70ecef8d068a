/**
 * The embed snippet a business pastes into its pages (issue #12 item 1): one `<script>` with `src`,
 * Subresource Integrity, `crossorigin` and the settings as `data-*` attributes. Used by the agent app
 * and by `npm run snippet`.
 */
import { checkAddress, snippetRecord, SNIPPET_KEYS, type SnippetOptions } from './snippet-options.js';
import type { WidgetManifest } from './widget-manifest.js';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' };

export function escapeAttribute(text: string): string {
  return text.replace(/[&"<>]/g, (c) => ESCAPES[c] ?? c);
}

/** Where the widget's files are served from: `<relay>/widget/` unless the business hosts them itself. */
export function widgetBase(options: SnippetOptions, base?: string): string {
  const url = checkAddress('widget', base ?? `${options.relay}/widget/`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** The attributes of the snippet's `<script>`, in the order they are written. */
export function snippetAttributes(
  options: SnippetOptions,
  manifest: WidgetManifest,
  base?: string,
): readonly (readonly [string, string])[] {
  const record = snippetRecord(options);
  const data = SNIPPET_KEYS.flatMap((key) => {
    const value = record[key];
    return value === undefined || (key === 'mode' && value === 'default') ? [] : [[`data-${key}`, value] as const];
  });
  return [
    ['src', widgetBase(options, base) + manifest.loader.file],
    ['integrity', manifest.loader.integrity],
    ['crossorigin', 'anonymous'],
    ...data,
  ];
}

/** The snippet as HTML: `<script async src=… integrity=… crossorigin="anonymous" data-…></script>`. */
export function snippetTag(options: SnippetOptions, manifest: WidgetManifest, base?: string): string {
  const attributes = snippetAttributes(options, manifest, base)
    .map(([name, value]) => `${name}="${escapeAttribute(value)}"`)
    .join(' ');
  return `<script async ${attributes}></script>`;
}
