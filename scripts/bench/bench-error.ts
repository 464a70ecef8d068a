/** The benchmark's own typed error: a setup step, a child process or a run that went wrong. */
import { SealdeskError } from '../../shared/errors/index.js';

export class BenchError extends SealdeskError {
  readonly code = 'bench';
}
