// `npm run snippet`: --help, the tag for a business from a build's manifest, and one clear line for a
// mistake (exit 2) or a missing build (exit 1).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'sealdesk-snippet-'));
const manifest = join(dir, 'manifest.json');
writeFileSync(
  manifest,
  JSON.stringify({
    version: 1,
    loader: { file: 'loader-0123456789.js', integrity: `sha384-${'A'.repeat(64)}` },
    chat: { file: 'chat-0123456789.js', integrity: `sha384-${'B'.repeat(64)}` },
    frame: { file: 'frame-0123456789.js', integrity: `sha384-${'C'.repeat(64)}` },
    framePage: 'frame.html',
  }),
);
const PIN = '4ost sl3z jvqk 43br 7adq nv7h txn4 haui skco ct32 o2mh 3lfs b3wq';

function snippet(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/widget/snippet-cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run snippet', () => {
  it('--help says what it prints and every option', () => {
    const r = snippet('--help');
    expect(r.status).toBe(0);
    for (const option of ['--account', '--pin', '--relay', '--widget', '--mode', '--frame', '--manifest'])
      expect(r.stdout).toContain(option);
  });

  it('prints the tag for a business', () => {
    const r = snippet(
      '--account',
      '0f'.repeat(16),
      '--pin',
      PIN,
      '--relay',
      'https://relay.example.com',
      '--manifest',
      manifest,
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(
      `<script async src="https://relay.example.com/widget/loader-0123456789.js" integrity="sha384-${'A'.repeat(64)}" crossorigin="anonymous" data-relay="https://relay.example.com" data-account="${'0f'.repeat(16)}" data-pin="${PIN}"></script>`,
    );
  });

  it('a mistake is one line naming the option, exit 2; a missing build says to build, exit 1', () => {
    const wrong = snippet(
      '--account',
      'xyz',
      '--pin',
      PIN,
      '--relay',
      'https://relay.example.com',
      '--manifest',
      manifest,
    );
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('snippet: --account must be 32 hexadecimal digits');
    expect(wrong.stderr).not.toContain('    at ');
    const unknown = snippet('--acount', 'x');
    expect(unknown.status).toBe(2);
    const missing = snippet(
      '--account',
      '0f'.repeat(16),
      '--pin',
      PIN,
      '--relay',
      'https://r.example',
      '--manifest',
      join(dir, 'none.json'),
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('run npm run build:widget first');
  });
});
