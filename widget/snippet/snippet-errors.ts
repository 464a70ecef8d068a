import { SealdeskError } from '../../shared/errors/index.js';

/** The embed snippet (or the isolated frame's address) is missing a setting or carries a malformed one. */
export class InvalidSnippetError extends SealdeskError {
  readonly code = 'invalid-snippet';
}
