// docs/THREAT-MODEL.md names, for every flaw and attack, the tests that show the fix (issue #16
// item 6). A renamed or deleted test would leave the document promising evidence that no longer
// exists, so this test checks every reference: a letter code (the folder, per the legend of §3) and
// a backticked test title, where "…" stands for elided words. It passes only when each title is
// found in a test source of that folder.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'THREAT-MODEL.md'), 'utf8');

/** The legend of THREAT-MODEL §3: which folder each letter code names. */
const FOLDERS: Readonly<Record<string, string>> = {
  A: 'test/attacks',
  U: 'test/unit',
  S: 'test/scenarios',
  P: 'test/property',
  R: 'test/relay',
  V: 'test/vectors',
  B: 'test/browser',
  H: 'test/hostile',
  E: 'test/e2e',
  F: 'test/fuzz',
  T: 'test/transport',
  N: 'test/runtime',
  C: 'test/cases',
};

/** Words of one line, with the source's line breaks, indentation and string concatenation gone. */
function flatten(text: string): string {
  return text.replace(/['"`]\s*\+\s*['"`]/g, '').replace(/\s+/g, ' ');
}

function sourcesUnder(folder: string): string[] {
  const entries = readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => flatten(readFileSync(join(e.parentPath, e.name), 'utf8')));
}

/** The parts between the "…" of a title occur in this order, close together, in one source. */
function mentions(source: string, title: string): boolean {
  const parts = flatten(title)
    .split('…')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const first = parts[0];
  if (first === undefined) return false;
  for (let start = source.indexOf(first); start >= 0; start = source.indexOf(first, start + 1)) {
    let at = start + first.length;
    const found = parts.slice(1).every((part) => {
      const next = source.indexOf(part, at);
      if (next < 0 || next - at > 400) return false;
      at = next + part.length;
      return true;
    });
    if (found) return true;
  }
  return false;
}

const references = [...DOC.matchAll(/(?:^|[\s;(])([A-Z]) `([^`]+)`/gm)].map((m) => ({
  code: m[1] ?? '',
  title: m[2] ?? '',
}));
const sources = new Map(Object.entries(FOLDERS).map(([code, folder]) => [code, sourcesUnder(folder)]));

describe('docs/THREAT-MODEL.md test references', () => {
  it('names tests: at least one per flaw F1–F21 and 150 in all', () => {
    expect(references.length).toBeGreaterThanOrEqual(150);
    for (let n = 1; n <= 21; n += 1) {
      const section = DOC.split(/^### /m).find((s) => s.startsWith(`F${n} `));
      expect(section, `F${n} has a section`).toBeDefined();
      expect(section ?? '', `F${n} names its tests`).toMatch(/\*Tests?:\*/);
    }
  });

  it('uses only the letter codes of its legend', () => {
    expect(references.map((r) => r.code).filter((code) => !(code in FOLDERS))).toEqual([]);
  });

  it('every named test exists in the folder its letter code names', () => {
    const missing = references
      .filter((r) => !(sources.get(r.code) ?? []).some((source) => mentions(source, r.title)))
      .map((r) => `${r.code} ${r.title}`);
    expect(missing).toEqual([]);
  });
});
