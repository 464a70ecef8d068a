/**
 * How the relay is compiled for production (`npm run build:relay`): one ES module bundle of
 * relay/main.ts and the shared code it imports, for Node 20, with npm packages left as imports
 * (better-sqlite3 is native, @serenity-kit/opaque loads its WebAssembly next to itself), and a
 * source map so stack traces name the TypeScript lines (node --enable-source-maps).
 */
import type { BuildOptions } from 'esbuild';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const RELAY_ENTRY = resolve(ROOT, 'relay/main.ts');
export const RELAY_OUTFILE = resolve(ROOT, 'dist/relay/main.js');

export function relayBuildOptions(outfile = RELAY_OUTFILE): BuildOptions {
  return {
    entryPoints: [RELAY_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  };
}
