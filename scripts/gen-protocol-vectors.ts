/**
 * Writes test/vectors/protocol-v2.json (see scripts/vectors/generate.ts).
 * Usage: npx tsx scripts/gen-protocol-vectors.ts [--check]
 *   --check  compare with the stored file instead of writing it (exit 1 on a difference)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { protocolVectorsJson } from './vectors/generate.js';

const target = fileURLToPath(new URL('../test/vectors/protocol-v2.json', import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    'Usage: npx tsx scripts/gen-protocol-vectors.ts [--check]\n  writes test/vectors/protocol-v2.json; --check compares instead.',
  );
  process.exit(0);
}
const text = await protocolVectorsJson();
if (args.includes('--check')) {
  const stored = readFileSync(target, 'utf8');
  if (stored !== text) {
    console.error(
      'protocol-v2.json differs from what this build produces: a wire change needs a version bump (docs/PROTOCOL.md §15).',
    );
    process.exit(1);
  }
  console.log('protocol-v2.json matches.');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
