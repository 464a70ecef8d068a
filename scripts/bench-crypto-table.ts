/**
 * Formats benchmark rows (bench-crypto-core.ts) as a plain-text table. Each figure is followed
 * by its ratio to the 1-device row of the same run (same process, same minute), which is what
 * to compare between runs on a shared, noisy machine rather than the absolute milliseconds.
 */
import type { BenchRow, Sample } from './bench-crypto-core.js';

type Pick = (s: Sample) => number;

const COLUMNS: readonly { readonly title: string; readonly value: (r: BenchRow) => Sample }[] = [
  { title: 'first contact: visitor', value: (r) => r.firstContactVisitor },
  { title: 'first contact: one agent', value: (r) => r.firstContactAgent },
  { title: 'message: visitor send', value: (r) => r.messageVisitor },
  { title: 'message: one agent receive', value: (r) => r.messageAgent },
];

function cell(value: number, base: number, width: number): string {
  const ratio = base > 0 ? `${(value / base).toFixed(2)}x` : '-';
  return `${value.toFixed(2)} ms (${ratio})`.padStart(width);
}

/** `pick` chooses CPU or wall time; the ratio column divides by the first row (the 1-device baseline). */
export function formatTable(rows: readonly BenchRow[], pick: Pick): string[] {
  const widths = COLUMNS.map((c) => Math.max(c.title.length, 22));
  const header = ['devices', ...COLUMNS.map((c, i) => c.title.padStart(widths[i] ?? 0))].join(' | ');
  const rule = header.replace(/[^|]/g, '-');
  const base = rows[0];
  const lines = [header, rule];
  for (const r of rows) {
    const cells = COLUMNS.map((c, i) =>
      cell(pick(c.value(r)), base === undefined ? 0 : pick(c.value(base)), widths[i] ?? 0),
    );
    lines.push([String(r.devices).padStart(7), ...cells].join(' | '));
  }
  return lines;
}
