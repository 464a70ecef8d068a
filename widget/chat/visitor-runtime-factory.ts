/**
 * Where the chat gets its VisitorRuntime (shared/runtime/api-visitor.ts). The runtime itself —
 * directory verification against the pin, the protocol, IndexedDB storage, the relay transport — is
 * built by the client runtime issue and is not on main yet. Until it lands this factory fails with a
 * typed error, and the chat shows "Chat unavailable" (an honest state, not a pretend chat). Plugging
 * the runtime in is this one function: `return createVisitorRuntime({ relayUrl, accountId, pin, … })`.
 */
import { SealdeskError } from '../../shared/errors/index.js';
import type { VisitorRuntime } from '../../shared/runtime/index.js';
import type { SnippetOptions } from '../snippet/snippet-options.js';

/** The visitor runtime is not part of this build yet. */
export class VisitorRuntimeMissingError extends SealdeskError {
  readonly code = 'runtime-missing';
}

export function createWidgetRuntime(options: SnippetOptions): VisitorRuntime {
  throw new VisitorRuntimeMissingError(
    `this build has no visitor runtime yet, so the chat with ${options.relay} cannot start (shared/runtime createVisitorRuntime)`,
  );
}
