/**
 * SEALDESK_DATA_DIR before anything is opened in it (issue #10, "Also"): it must be a directory,
 * or creatable as one, on a real file system (Node 20's recursive mkdirSync loops for ever under
 * /proc), and every failure names the variable. docs/OPERATIONS.md, "Start-up checks".
 */
import { accessSync, constants, lstatSync, mkdirSync, statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { SetupError } from './errors.js';

/** statfs(2) f_type of kernel file systems that hold no data: proc, sysfs, cgroup, cgroup2, debugfs. */
const KERNEL_FILE_SYSTEMS: ReadonlySet<number> = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720]);

/** `SEALDESK_DATA_DIR=<dir>`: how every start-up error names the directory and its variable. */
export const dataDirSetting = (dir: string): string => `SEALDESK_DATA_DIR=${dir}`;

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The nearest existing path at or above `dir` (the root always exists). */
function nearestExisting(dir: string): string {
  let path = dir;
  for (;;) {
    try {
      lstatSync(path);
      return path;
    } catch {
      const parent = dirname(path);
      if (parent === path) return path;
      path = parent;
    }
  }
}

/** Checks SEALDESK_DATA_DIR and creates it (mode 0700) if missing. `dir` is absolute (config.ts). */
export function prepareDataDir(dir: string): void {
  const setting = dataDirSetting(dir);
  const existing = nearestExisting(dir);
  let stat;
  try {
    stat = statSync(existing);
  } catch (error) {
    throw new SetupError(`${setting}: cannot read ${existing}: ${reason(error)}`);
  }
  if (!stat.isDirectory()) {
    throw new SetupError(
      existing === dir
        ? `${setting} is not a directory; set SEALDESK_DATA_DIR to a directory (it is created if missing)`
        : `${setting}: ${existing} is a file, not a directory; set SEALDESK_DATA_DIR to a directory`,
    );
  }
  if (KERNEL_FILE_SYSTEMS.has(statfsSync(existing).type))
    throw new SetupError(
      `${setting} is on a kernel file system (${existing}), which holds no data; set SEALDESK_DATA_DIR to a directory on a disk`,
    );
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new SetupError(`${setting} cannot be used: ${reason(error)}`);
  }
}
