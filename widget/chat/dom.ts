/**
 * A tiny element builder. Text always goes in as text nodes (never HTML), and no `style` attribute is
 * ever set, so a host page's strict CSP (no 'unsafe-inline') allows everything the chat draws.
 */
export type Child = Node | string | false | null | undefined;
type Attribute = string | number | boolean | undefined | ((event: Event) => void);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, Attribute>> | null = null,
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== undefined) element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Element | DocumentFragment, ...children: readonly Child[]): void {
  for (const child of children) if (child !== false && child !== null && child !== undefined) parent.append(child);
}

/** A visually hidden text for screen readers. */
export function srOnly(text: string): HTMLSpanElement {
  return h('span', { class: 'sr' }, text);
}

/** Human-readable size: 2.4 MB, 830 KB, 12 B. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
