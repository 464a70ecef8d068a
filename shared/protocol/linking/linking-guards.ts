/**
 * Checks shared by the linking transitions (docs/PROTOCOL.md §10.4): the step must match the
 * phase, an aborted attempt stays aborted, and an attempt expires LINKING_LIMITS.ttlMs after it
 * started on this device.
 */
import { type ProtocolEnv, LinkingAbortedError, ProtocolStateError } from '../core/index.js';
import { LINKING_LIMITS } from './linking-codec.js';
import { linkingMismatchAlert } from './linking-errors.js';
import { type ExistingDeviceLinkState, LINK_PHASES, type LinkStep, type NewDeviceLinkState } from './linking-state.js';

type AnyLinkState = NewDeviceLinkState | ExistingDeviceLinkState;

/** Narrows `state` to `phase`; LinkingAbortedError when aborted or expired, ProtocolStateError for another phase. */
export function requirePhase<S extends AnyLinkState, P extends S['phase']>(
  state: S,
  phase: P,
  env: ProtocolEnv,
): Extract<S, { readonly phase: P }> {
  if (state.phase === LINK_PHASES.aborted)
    throw new LinkingAbortedError('this device link attempt was aborted: start a new one');
  if (state.phase !== phase)
    throw new ProtocolStateError(`device link step expects phase ${phase}, the attempt is in ${state.phase}`);
  const age = env.now() - state.startedAt;
  if (age > LINKING_LIMITS.ttlMs || age < 0)
    throw new LinkingAbortedError('this device link attempt expired: start a new one');
  return state as Extract<S, { readonly phase: P }>;
}

/** Ends an attempt (user cancelled, or the codes differ). `mismatch` adds the linkingMismatch alert. */
export function abortLink<S extends AnyLinkState>(state: S, reason: string, mismatch: boolean): LinkStep<S> {
  const aborted = {
    version: state.version,
    side: state.side,
    accountId: state.accountId,
    linkId: state.linkId,
    startedAt: state.startedAt,
    phase: LINK_PHASES.aborted,
    reason,
  } as S;
  return { state: aborted, alerts: mismatch ? [linkingMismatchAlert(reason)] : [] };
}
