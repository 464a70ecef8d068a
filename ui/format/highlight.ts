/**
 * Splits a message into plain and matched parts for a search result, so the view marks matches
 * with <mark> and never builds HTML from message text.
 */
export interface Segment {
  readonly text: string;
  readonly match: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `terms` are the index's matched words (lower case); each is marked wherever a word starts with it. */
export function highlightSegments(text: string, terms: readonly string[]): Segment[] {
  const words = [...new Set(terms.filter((term) => term.trim() !== ''))].sort((a, b) => b.length - a.length);
  if (words.length === 0) return [{ text, match: false }];
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${words.map(escapeRegExp).join('|')})`, 'giu');
  const segments: Segment[] = [];
  let at = 0;
  for (const found of text.matchAll(pattern)) {
    const start = found.index;
    if (start > at) segments.push({ text: text.slice(at, start), match: false });
    segments.push({ text: found[0], match: true });
    at = start + found[0].length;
  }
  if (at < text.length) segments.push({ text: text.slice(at), match: false });
  return segments;
}
