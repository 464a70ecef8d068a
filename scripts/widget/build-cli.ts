/**
 * `npm run build:widget` (dist/widget) and `npm run build:demo` (dist/demo): builds and prints the
 * files, with the gzipped sizes of the widget's.
 */
import { gzipSync } from 'node:zlib';
import { relative } from 'node:path';
import { buildDemo, DEMO_DIST } from './build-demo.js';
import { buildWidget, REPO, WIDGET_DIST } from './build-widget.js';

const what = process.argv[2];
if (what === 'demo') {
  await buildDemo();
  process.stdout.write(`demo shop built in ${relative(REPO, DEMO_DIST)}/\n`);
} else if (what === 'widget') {
  const built = await buildWidget({ outDir: WIDGET_DIST });
  process.stdout.write(`widget built in ${relative(REPO, WIDGET_DIST)}/\n`);
  for (const part of [built.loader, built.chat, built.frame, ...Object.values(built.languages)]) {
    const gz = gzipSync(part.bytes, { level: 9 }).length;
    process.stdout.write(
      `  ${part.file.padEnd(24)} ${String(part.bytes.length).padStart(7)} B  ${String(gz).padStart(6)} B gzip\n`,
    );
  }
  process.stdout.write(`  frame.html, manifest.json\n`);
} else {
  process.stderr.write('usage: tsx scripts/widget/build-cli.ts widget|demo\n');
  process.exitCode = 2;
}
