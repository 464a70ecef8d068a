/**
 * Builds the visitor widget into a directory (dist/widget for `npm run build:widget`): the chat chunk
 * and the isolated frame's script first, then the loader with the chat chunk's file name and SHA-384
 * compiled in, frame.html pinning the frame script, and manifest.json for the snippet generator. File
 * names carry a content hash, so they can be cached forever; frame.html and manifest.json cannot.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { minify } from 'terser';
import type { PinnedFile, WidgetManifest } from '../../widget/snippet/widget-manifest.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const WIDGET_DIST = join(REPO, 'dist', 'widget');
export const ENTRIES = {
  loader: join(REPO, 'widget/loader/main.ts'),
  chat: join(REPO, 'widget/chat/chunk-main.ts'),
  frame: join(REPO, 'widget/frame/main.ts'),
} as const;
/** The language packs besides the built-in English (widget/chat/language.ts). */
export const LANGUAGES: Readonly<Record<string, string>> = { de: join(REPO, 'widget/chat/texts-de.ts') };
const FACTORY = /[\\/]visitor-runtime-factory\.(js|ts)$/;

export interface WidgetBuildOptions {
  readonly outDir: string;
  /**
   * Test builds only (test/…): a module that replaces widget/chat/visitor-runtime-factory.ts, so UI
   * tests can drive the chat with a scripted runtime. The product build never sets it.
   */
  readonly runtimeFactory?: string;
}

export interface BuiltFile extends PinnedFile {
  readonly bytes: Uint8Array;
  readonly metafile?: Metafile;
}

export interface WidgetBuild {
  readonly manifest: WidgetManifest;
  readonly loader: BuiltFile;
  readonly chat: BuiltFile;
  readonly frame: BuiltFile;
  readonly languages: Readonly<Record<string, BuiltFile>>;
}

export function integrityOf(bytes: Uint8Array): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** `<name>-<10 hex digits of SHA-256>.js`: a new name whenever a byte changes. */
function hashedName(name: string, bytes: Uint8Array): string {
  return `${name}-${createHash('sha256').update(bytes).digest('hex').slice(0, 10)}.js`;
}

/** How every widget file is bundled: one classic script each (no module loading on the host page). */
export const WIDGET_ESBUILD = {
  bundle: true,
  format: 'iife',
  target: ['es2022', 'chrome111', 'firefox115', 'safari16.4'],
  minify: true,
  legalComments: 'none',
  write: false,
  metafile: true,
  logLevel: 'silent',
} as const satisfies BuildOptions;

/**
 * A second, safe minification pass over esbuild's output (issue #12 item 8, size): terser's compress
 * (two passes, no `unsafe*` option) and name mangling, no property mangling, so what runs is the
 * same program; about 3 KiB gzip off the chat chunk. The files are hashed and pinned after it.
 */
export async function compact(name: string, code: string): Promise<string> {
  const out = await minify(code, {
    ecma: 2020,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  if (out.code === undefined) throw new Error(`terser produced no output for ${name}`);
  return out.code;
}

/**
 * Sealdesk's own modules (shared/, widget/) have no import-time side effects except the entry
 * points, so a module none of whose exports are used is left out of the bundle (esbuild's
 * `sideEffects: false`, limited to our sources: node_modules keep their own package.json flags).
 */
const SOURCES = /^(shared|widget)[\\/]/;
export const sideEffectFree: Plugin = {
  name: 'sealdesk-side-effect-free',
  setup(b) {
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (args.kind === 'entry-point' || args.pluginData === sideEffectFree) return undefined;
      const resolved = await b.resolve(args.path, {
        importer: args.importer,
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: sideEffectFree,
      });
      if (resolved.errors.length > 0 || !SOURCES.test(relative(REPO, resolved.path))) return undefined;
      return { ...resolved, sideEffects: false };
    });
  },
};

function replaceFactory(path: string): Plugin {
  return {
    name: 'sealdesk-test-runtime-factory',
    setup(b) {
      b.onResolve({ filter: FACTORY }, () => ({ path }));
    },
  };
}

async function bundle(
  name: string,
  entry: string,
  options: WidgetBuildOptions,
  define: Record<string, string> = {},
): Promise<BuiltFile> {
  const result = await build({
    ...WIDGET_ESBUILD,
    entryPoints: [entry],
    define,
    plugins: [
      ...(options.runtimeFactory === undefined ? [] : [replaceFactory(options.runtimeFactory)]),
      sideEffectFree,
    ],
  });
  const bundled = result.outputFiles[0]?.text;
  if (bundled === undefined) throw new Error(`esbuild produced no output for ${name}`);
  const bytes = new TextEncoder().encode(await compact(name, bundled));
  const file = hashedName(name, bytes);
  await writeFile(join(options.outDir, file), bytes);
  return { file, integrity: integrityOf(bytes), bytes, metafile: result.metafile };
}

/** frame.html: the isolated mode's page; it runs only the frame script whose hash it pins. */
export function framePage(frame: PinnedFile): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<title>Chat</title>',
    `<script src="${frame.file}" integrity="${frame.integrity}" crossorigin="anonymous" defer></script>`,
    '<body>',
    '</html>',
    '',
  ].join('\n');
}

export async function buildWidget(options: WidgetBuildOptions): Promise<WidgetBuild> {
  await rm(options.outDir, { recursive: true, force: true });
  await mkdir(options.outDir, { recursive: true });
  const languages: Record<string, BuiltFile> = {};
  for (const [language, entry] of Object.entries(LANGUAGES))
    languages[language] = await bundle(`texts-${language}`, entry, options);
  const texts = JSON.stringify(
    Object.fromEntries(Object.entries(languages).map(([l, f]) => [l, { file: f.file, integrity: f.integrity }])),
  );
  const chat = await bundle('chat', ENTRIES.chat, options, { SEALDESK_PINNED_TEXTS: texts });
  const frame = await bundle('frame', ENTRIES.frame, options, { SEALDESK_PINNED_TEXTS: texts });
  const pinned: PinnedFile = { file: chat.file, integrity: chat.integrity };
  const loader = await bundle('loader', ENTRIES.loader, options, { SEALDESK_PINNED_CHAT: JSON.stringify(pinned) });
  const manifest: WidgetManifest = {
    version: 1,
    loader: { file: loader.file, integrity: loader.integrity },
    chat: pinned,
    frame: { file: frame.file, integrity: frame.integrity },
    framePage: 'frame.html',
  };
  await writeFile(join(options.outDir, manifest.framePage), framePage(manifest.frame));
  await writeFile(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, loader, chat, frame, languages };
}
