/** `npm run build:relay`: compiles the relay to dist/relay/main.js (run it with `npm run start:relay`). */
import { build } from 'esbuild';
import { RELAY_OUTFILE, relayBuildOptions } from './build/relay-build-options.js';

await build(relayBuildOptions());
process.stdout.write(`relay built: ${RELAY_OUTFILE}\n`);
