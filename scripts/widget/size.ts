/**
 * `npm run size` (issue #12 item 8): builds the widget and prints the gzipped size of (a) what the
 * host page loads first — the loader — and (b) everything a visitor needs to send a first message:
 * the loader plus the chat chunk with the visitor's whole client graph, with a per-module breakdown of
 * (b). Exits 1 above the budgets of docs product brief: (a) ≤ 6 KiB, (b) ≤ 30 KiB, crypto included.
 *
 * Until the visitor runtime lands, the chat chunk does not import the protocol yet, so (b) bundles
 * the chat chunk together with the protocol functions the runtime will call (VISITOR_GRAPH), and the
 * IndexedDB storage adapter and transport if they exist. Once the chat chunk imports the runtime,
 * VISITOR_GRAPH only repeats what the chunk already holds (esbuild includes each module once).
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { buildWidget, ENTRIES, REPO, WIDGET_DIST, WIDGET_ESBUILD } from './build-widget.js';

const KIB = 1024;
export const BUDGETS = { first: 6 * KIB, firstMessage: 30 * KIB } as const;

/** The protocol functions the visitor runtime calls (shared/protocol, by file until its index lands). */
const VISITOR_GRAPH: readonly (readonly [string, readonly string[]])[] = [
  ['directory-view', ['createDirectoryView', 'receiveDeviceList', 'receiveRotation', 'requireAccepted']],
  ['conversation-start', ['startVisitorConversation']],
  ['conversation-send', ['sendMessage']],
  ['conversation-receive', ['receiveMessage']],
  ['conversation-end', ['tick', 'endConversation']],
  ['conversation-alerts', ['rejectionAlert']],
  ['verification', ['safetyCode', 'businessFingerprint']],
  ['attachment-seal', ['sealAttachment']],
  ['attachment-open', ['openAttachmentBlob']],
];
/** Client layers the visitor uses, measured whole when they exist. */
const CLIENT_LAYERS = ['shared/storage/indexeddb/index.ts', 'shared/transport/index.ts', 'shared/runtime/index.ts'];

function graphSource(): { readonly source: string; readonly included: readonly string[] } {
  const lines = [`import ${JSON.stringify(ENTRIES.chat)};`];
  const protocolIndex = join(REPO, 'shared/protocol/index.ts');
  const names = VISITOR_GRAPH.flatMap(([, n]) => n);
  if (existsSync(protocolIndex)) lines.push(`export { ${names.join(', ')} } from ${JSON.stringify(protocolIndex)};`);
  else
    for (const [file, exported] of VISITOR_GRAPH)
      lines.push(
        `export { ${exported.join(', ')} } from ${JSON.stringify(join(REPO, 'shared/protocol', `${file}.ts`))};`,
      );
  const included = CLIENT_LAYERS.filter((layer) => existsSync(join(REPO, layer)));
  for (const [i, layer] of included.entries())
    lines.push(`export * as layer${i} from ${JSON.stringify(join(REPO, layer))};`);
  return { source: lines.join('\n'), included };
}

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

async function main(): Promise<number> {
  const built = await buildWidget({ outDir: WIDGET_DIST });
  const { source, included } = graphSource();
  const graph = await build({
    ...WIDGET_ESBUILD,
    stdin: { contents: source, resolveDir: REPO, loader: 'ts', sourcefile: 'first-message-graph.ts' },
    define: { SEALDESK_PINNED_TEXTS: '{}' },
  });
  const graphBytes = graph.outputFiles[0]?.contents ?? new Uint8Array();
  const loader = part(built.loader.file, built.loader.bytes, built.loader.metafile);
  const chunk = part('chat chunk + visitor client graph', graphBytes, graph.metafile);
  const first = loader.gzip;
  const firstMessage = loader.gzip + chunk.gzip;

  const out: string[] = [];
  out.push('Sealdesk widget sizes (gzip -9), dist/widget/');
  out.push('');
  out.push(`(a) what the host page loads first: ${built.loader.file}`);
  out.push(row('loader', loader.bytes, kib(first)));
  out.push(`    budget ${kib(BUDGETS.first)}: ${first <= BUDGETS.first ? 'ok' : 'OVER'}`);
  out.push('');
  out.push('(b) everything needed to send a first message: loader + chat chunk + the visitor client graph');
  out.push(row('loader', loader.bytes, kib(loader.gzip)));
  out.push(row(`chat chunk alone (${built.chat.file})`, built.chat.bytes.length, kib(gzip(built.chat.bytes))));
  out.push(row('chat chunk + visitor client graph, one bundle', chunk.bytes, kib(chunk.gzip)));
  out.push(
    `    total ${kib(firstMessage)}, budget ${kib(BUDGETS.firstMessage)}: ${firstMessage <= BUDGETS.firstMessage ? 'ok' : 'OVER'}`,
  );
  out.push(
    `    client layers found: ${included.length === 0 ? 'none yet (storage, transport, runtime not on this branch)' : included.join(', ')}`,
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
  const languages = Object.entries(built.languages).map(([l, f]) => `${l} ${kib(gzip(f.bytes))}`);
  out.push('');
  out.push('Still to come in (b): the visitor runtime (shared/runtime createVisitorRuntime), the IndexedDB storage');
  out.push('adapter and the relay transport, when they land on main; today (b) has the protocol functions they call.');
  out.push('');
  out.push(
    `Not in (b): language packs, loaded only for their language (${languages.join(', ')}); the isolated frame's script ${kib(gzip(built.frame.bytes))}.`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  const over = first > BUDGETS.first || firstMessage > BUDGETS.firstMessage;
  if (over) process.stderr.write('size: over budget\n');
  return over ? 1 : 0;
}

process.exitCode = await main();
