/**
 * Real disk faults for relay fault tests (issue #10): a small tmpfs of the test's own, filled up
 * to a given free space, and the immutable attribute (chattr +i). These need root, as CI runs;
 * a missing facility fails the test with a line saying what is missing (nothing is skipped).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function need(what: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    throw new Error(
      `fault test needs ${what} (run as root, as CI does): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new Error(`fault test needs root (as CI runs), uid is ${String(process.getuid?.())}`);
}

export interface SmallDisk {
  readonly dir: string;
  /** Bytes still free on the tmpfs. */
  free(): number;
  /** Writes a filler file so that about `bytes` stay free. */
  fillLeaving(bytes: number): void;
  /** Deletes the filler file. */
  unfill(): void;
  /** Unmounts and removes the mount point. */
  remove(): void;
}

/** Mounts a tmpfs of `sizeBytes` on a fresh directory; the relay's data directory goes under it. */
export function mountSmallDisk(sizeBytes: number): SmallDisk {
  requireRoot();
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-fault-disk-'));
  need('mount -t tmpfs', () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${String(sizeBytes)},mode=0700`, 'tmpfs', dir]);
  });
  const filler = join(dir, 'filler');
  const free = (): number => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    fillLeaving: (bytes) => {
      rmSync(filler, { force: true });
      const size = free() - bytes;
      if (size > 0) writeFileSync(filler, Buffer.alloc(size));
    },
    unfill: () => {
      rmSync(filler, { force: true });
    },
    remove: () => {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** chattr +i / -i on a file (the kernel refuses writes to it, even by root). */
export function setImmutable(path: string, on: boolean): void {
  requireRoot();
  need('chattr', () => {
    execFileSync('chattr', [on ? '+i' : '-i', path]);
  });
}
