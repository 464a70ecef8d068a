/**
 * `npm run snippet -- --account … --pin … --relay …` (issue #12 item 1): prints the embed snippet
 * for a business, from the hashes in dist/widget/manifest.json (run `npm run build:widget` first).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SealdeskError } from '../../shared/errors/index.js';
import { parseSnippet, parseWidgetManifest, snippetTag, widgetBase } from '../../widget/snippet/index.js';
import { WIDGET_DIST } from './build-widget.js';

const HELP = `Usage: npm run snippet -- --account <id> --pin <fingerprint> --relay <url> [options]

Prints the <script> tag a business pastes into its pages: the widget loader's address, its
Subresource Integrity hash (sha384) and the settings the visitor's browser checks.

  --account <id>         the business's account id (32 hexadecimal digits)
  --pin <fingerprint>    the business fingerprint shown in the agent app (52 letters; spaces allowed)
  --relay <url>          the relay's address, e.g. https://relay.example.com
  --widget <url>         where the widget files are served (default <relay>/widget/); a business that
                         hosts dist/widget itself gives its own address here
  --mode isolated        run the chat in a frame on an origin the business controls (docs/THREAT-MODEL.md §8)
  --frame <url>          isolated mode: the address of frame.html on that origin
  --colour <#rrggbb>     launcher colour before the signed configuration has loaded
  --position <side>      bottom-right (default) or bottom-left
  --manifest <file>      the build's manifest (default dist/widget/manifest.json)
  -h, --help             this text
`;

function main(argv: readonly string[]): number {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      account: { type: 'string' },
      pin: { type: 'string' },
      relay: { type: 'string' },
      widget: { type: 'string' },
      mode: { type: 'string' },
      frame: { type: 'string' },
      colour: { type: 'string' },
      position: { type: 'string' },
      manifest: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const { widget, manifest: manifestPath, account, pin, relay, mode, frame, colour, position } = values;
  const options = parseSnippet({ account, pin, relay, mode, frame, colour, position });
  const path = manifestPath ?? join(WIDGET_DIST, 'manifest.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    process.stderr.write(`snippet: ${path} not found: run npm run build:widget first\n`);
    return 1;
  }
  const manifest = parseWidgetManifest(JSON.parse(text) as unknown);
  process.stdout.write(`${snippetTag(options, manifest, widget)}\n`);
  if (options.frame !== undefined) {
    process.stderr.write(
      `\nIsolated mode: serve ${manifest.framePage} and ${manifest.frame.file} (from ${WIDGET_DIST}) at ${new URL('.', options.frame).href}\n` +
        `on an origin only you control, and the loader from ${widgetBase(options, widget)}.\n`,
    );
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  // Mistakes in the arguments get one line and the usage hint, not a stack trace.
  const message = error instanceof SealdeskError || error instanceof TypeError ? error.message : String(error);
  process.stderr.write(`snippet: ${message.replace(/data-(\w+)/g, '--$1')}\n(npm run snippet -- --help)\n`);
  process.exitCode = 2;
}
