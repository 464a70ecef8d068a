/**
 * The relay compiled as `npm run build:relay` compiles it (scripts/build/relay-build-options.ts),
 * into a directory of its own under dist/ (so packages resolve from the project's node_modules and
 * parallel test files do not overwrite each other's bundle). Multi-node tests run it, as
 * production nodes do; it is built from the sources of this run, so it is never stale.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, relayBuildOptions } from '../../../scripts/build/relay-build-options.js';

export interface RelayBuild {
  readonly entry: string;
  remove(): void;
}

export async function buildRelay(): Promise<RelayBuild> {
  const dir = join(
    ROOT,
    'dist',
    `test-relay-${Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex')}`,
  );
  const entry = join(dir, 'main.js');
  await build(relayBuildOptions(entry));
  return {
    entry,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
