/**
 * `npm run size` (issue #12 item 8): builds the widget and prints the gzipped size of (a) what the
 * host page loads first — the loader — and (b) everything a visitor needs to send a first message:
 * the loader, the chat chunk (the chat UI and the whole visitor client: runtime, storage, transport,
 * protocol, crypto) and, for a business whose configuration names another language than English,
 * that language's pack (the largest one counts), with a per-module breakdown of (b) from esbuild's
 * metafile. Exits 1 above the budgets of the product brief: (a) ≤ 6 KiB, (b) ≤ 30 KiB, crypto included.
 * It also prints the floor of (b): the first-message path alone (first-message-path.ts), what a
 * perfect split of the chat chunk could reach without dropping a check.
 */
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { buildWidget, compact, REPO, sideEffectFree, WIDGET_DIST, WIDGET_ESBUILD } from './build-widget.js';

const KIB = 1024;
export const BUDGETS = { first: 6 * KIB, firstMessage: 30 * KIB } as const;

interface Part {
  readonly name: string;
  readonly bytes: number;
  readonly gzip: number;
  readonly inputs: Metafile['outputs'][string]['inputs'];
}

function gzip(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).length;
}

function part(name: string, bytes: Uint8Array, metafile: Metafile | undefined): Part {
  const output = Object.values(metafile?.outputs ?? {})[0];
  return { name, bytes: bytes.length, gzip: gzip(bytes), inputs: output?.inputs ?? {} };
}

/** Module groups for the breakdown: a file's folder under widget/ or shared/. */
function group(path: string): string {
  const rel = relative(REPO, path.startsWith('/') ? path : join(REPO, path));
  const m = /^(widget|shared)\/([^/]+)/.exec(rel);
  return m === null ? rel : `${m[1] ?? ''}/${m[2] ?? ''}`;
}

const kib = (n: number): string => `${(n / KIB).toFixed(2)} KiB`;
const row = (label: string, bytes: number, gz: string): string =>
  `  ${label.padEnd(50)} ${String(bytes).padStart(7)} B  ${gz.padStart(11)}`;

/** The floor of (b): the first-message path alone (first-message-path.ts), minified and gzipped the same way. */
async function firstMessageFloor(): Promise<number> {
  const result = await build({
    ...WIDGET_ESBUILD,
    entryPoints: [join(REPO, 'scripts/widget/first-message-path.ts')],
    define: { SEALDESK_PINNED_TEXTS: '{}' },
    plugins: [sideEffectFree],
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no output for the first-message path');
  return gzip(new TextEncoder().encode(await compact('first-message-path', code)));
}

async function main(): Promise<number> {
  const built = await buildWidget({ outDir: WIDGET_DIST });
  const loader = part(built.loader.file, built.loader.bytes, built.loader.metafile);
  const chunk = part(built.chat.file, built.chat.bytes, built.chat.metafile);
  const packs = Object.entries(built.languages).map(([l, f]) => ({ language: l, file: f, gzip: gzip(f.bytes) }));
  const pack = packs.reduce<(typeof packs)[number] | undefined>(
    (a, b) => (a === undefined || b.gzip > a.gzip ? b : a),
    undefined,
  );
  const first = loader.gzip;
  const firstMessage = loader.gzip + chunk.gzip + (pack?.gzip ?? 0);

  const out: string[] = [];
  out.push('Sealdesk widget sizes (gzip -9), dist/widget/');
  out.push('');
  out.push(`(a) what the host page loads first: ${built.loader.file}`);
  out.push(row('loader', loader.bytes, kib(first)));
  out.push(`    budget ${kib(BUDGETS.first)}: ${first <= BUDGETS.first ? 'ok' : 'OVER'}`);
  out.push('');
  out.push('(b) everything needed to send a first message: the loader, the chat chunk (UI and visitor client),');
  out.push('    and the language pack of a business that chose another language than English (the largest)');
  out.push(row('loader', loader.bytes, kib(loader.gzip)));
  out.push(row(`chat chunk (${built.chat.file})`, chunk.bytes, kib(chunk.gzip)));
  if (pack !== undefined)
    out.push(row(`language pack ${pack.language} (${pack.file.file})`, pack.file.bytes.length, kib(pack.gzip)));
  if (pack !== undefined) out.push(`    in English (no pack): ${kib(loader.gzip + chunk.gzip)}`);
  out.push(
    `    total ${kib(firstMessage)}, budget ${kib(BUDGETS.firstMessage)}: ${firstMessage <= BUDGETS.firstMessage ? 'ok' : 'OVER'}`,
  );
  out.push('');
  out.push('(b) by module group (minified bytes; gzip ≈ the group’s share of its file’s gzip size)');
  const groups = new Map<string, { bytes: number; gzip: number }>();
  for (const p of [loader, chunk]) {
    const total = Object.values(p.inputs).reduce((s, i) => s + i.bytesInOutput, 0) || 1;
    for (const [path, input] of Object.entries(p.inputs)) {
      const key = `${group(path)}${p === loader ? ' (loader)' : ''}`;
      const g = groups.get(key) ?? { bytes: 0, gzip: 0 };
      g.bytes += input.bytesInOutput;
      g.gzip += (p.gzip * input.bytesInOutput) / total;
      groups.set(key, g);
    }
  }
  for (const [name, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes)) {
    if (g.bytes > 0) out.push(row(name, g.bytes, `≈ ${kib(g.gzip)}`));
  }
  out.push('');
  out.push('(b) largest modules');
  const modules = [loader, chunk].flatMap((p) =>
    Object.entries(p.inputs).map(([path, i]) => [path, i.bytesInOutput] as const),
  );
  for (const [path, bytes] of modules.sort((a, b) => b[1] - a[1]).slice(0, 20))
    out.push(row(relative(REPO, join(REPO, path)), bytes, ''));
  out.push('');
  const floor = await firstMessageFloor();
  out.push('(b) floor: the chat chunk cut down to what the first send runs (scripts/widget/first-message-path.ts:');
  out.push('    verify the business and its configuration, X3DH, store, encrypt, hand to the relay connection; the');
  out.push('    whole chat UI), i.e. a perfect split with receiving, acks, attachments and alert texts loaded later');
  out.push(`  ${'first-message path instead of the chat chunk'.padEnd(62)} ${kib(floor).padStart(11)}`);
  out.push(`    (b) would be ${kib(loader.gzip + floor)} in English: the budget needs more than a split.`);
  out.push('');
  out.push(
    `Not in (b): the isolated frame's script ${kib(gzip(built.frame.bytes))} (isolated mode loads it instead of the chat chunk).`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  const over = first > BUDGETS.first || firstMessage > BUDGETS.firstMessage;
  if (over) process.stderr.write('size: over budget\n');
  return over ? 1 : 0;
}

process.exitCode = await main();
