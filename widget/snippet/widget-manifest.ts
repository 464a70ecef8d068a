/**
 * dist/widget/manifest.json, written by the build (scripts/widget/build-widget.ts): the hashed file
 * names and Subresource Integrity hashes the snippet generator and the relay's pages need.
 */
import { InvalidSnippetError } from './snippet-errors.js';

export interface PinnedFile {
  /** File name inside dist/widget, with its content hash. */
  readonly file: string;
  /** `sha384-<base64>` (Subresource Integrity). */
  readonly integrity: string;
}

export interface WidgetManifest {
  readonly version: 1;
  /** What the host page loads first (the snippet's `src`). */
  readonly loader: PinnedFile;
  /** The chat app the loader fetches on first open or when the page is idle (its hash is inside the loader). */
  readonly chat: PinnedFile;
  /** Isolated mode: the frame page's script (its hash is inside frame.html). */
  readonly frame: PinnedFile;
  /** Isolated mode: the frame page a business hosts on its own origin. */
  readonly framePage: string;
}

const FILE = /^[A-Za-z0-9._-]+$/;
const INTEGRITY = /^sha384-[A-Za-z0-9+/]{64}$/;

function pinned(value: unknown, what: string): PinnedFile {
  if (typeof value !== 'object' || value === null) throw new InvalidSnippetError(`manifest.json has no ${what}`);
  const file: unknown = Reflect.get(value, 'file');
  const integrity: unknown = Reflect.get(value, 'integrity');
  if (typeof file !== 'string' || !FILE.test(file) || typeof integrity !== 'string' || !INTEGRITY.test(integrity)) {
    throw new InvalidSnippetError(`manifest.json: ${what} needs a plain file name and a sha384 integrity hash`);
  }
  return { file, integrity };
}

/** Checks a parsed manifest.json (InvalidSnippetError when it is not one this build wrote). */
export function parseWidgetManifest(value: unknown): WidgetManifest {
  if (typeof value !== 'object' || value === null || Reflect.get(value, 'version') !== 1) {
    throw new InvalidSnippetError('manifest.json is not a version 1 widget manifest: run npm run build:widget');
  }
  const framePage: unknown = Reflect.get(value, 'framePage');
  if (typeof framePage !== 'string' || !FILE.test(framePage))
    throw new InvalidSnippetError('manifest.json has no framePage');
  return {
    version: 1,
    loader: pinned(Reflect.get(value, 'loader'), 'loader'),
    chat: pinned(Reflect.get(value, 'chat'), 'chat'),
    frame: pinned(Reflect.get(value, 'frame'), 'frame'),
    framePage,
  };
}
