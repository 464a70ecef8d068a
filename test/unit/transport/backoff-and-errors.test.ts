// Reconnect jitter bounds, and the §16.4 frame errors and close codes as typed errors.
import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  BlockedError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  TooLargeError,
  UnauthorizedError,
  backoffDelay,
  errorFromClose,
  errorFromFrame,
  isPermanentSendError,
} from '../../../shared/transport/index.js';
import { FRAME_ERRORS, type FrameErrorName } from '../../../shared/wire/index.js';

const constant =
  (byte: number) =>
  (n: number): Uint8Array =>
    new Uint8Array(n).fill(byte);

describe('backoffDelay (full jitter)', () => {
  const policy = { initialMs: 250, maxMs: 8_000 };

  it('is uniform below min(max, initial · 2^attempt)', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(8_000, 250 * 2 ** attempt);
      expect(backoffDelay(attempt, policy, constant(0))).toBe(0);
      const top = backoffDelay(attempt, policy, constant(0xff));
      expect(top).toBeLessThan(ceiling);
      expect(top).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  it('spreads real random delays over the whole range', () => {
    const delays = Array.from({ length: 2_000 }, () =>
      backoffDelay(5, policy, (n) => crypto.getRandomValues(new Uint8Array(n))),
    );
    expect(Math.min(...delays)).toBeLessThan(400);
    expect(Math.max(...delays)).toBeGreaterThan(7_600);
    expect(delays.every((d) => d >= 0 && d < 8_000)).toBe(true);
  });
});

describe('relay frame errors (PROTOCOL §16.4)', () => {
  const expected: Readonly<Record<FrameErrorName, new (...args: never[]) => Error>> = {
    'malformed-frame': BadRequestError,
    'unsupported-version': BadRequestError,
    'frame-too-large': TooLargeError,
    'unknown-frame-type': BadRequestError,
    'not-authenticated': UnauthorizedError,
    'auth-failed': UnauthorizedError,
    forbidden: ForbiddenError,
    'unknown-recipient': NotFoundError,
    'rate-limited': RateLimitedError,
    'malformed-envelope': BadRequestError,
    'already-authenticated': BadRequestError,
    'storage-failed': ServerError,
    'text-frame': BadRequestError,
    'too-many-connections': RateLimitedError,
    'queue-full': RateLimitedError,
    blocked: BlockedError,
    'signal-rate-limited': RateLimitedError,
  };
  for (const [name, kind] of Object.entries(expected) as [FrameErrorName, new (...args: never[]) => Error][]) {
    it(`${name} → ${kind.name}`, () => {
      const error = errorFromFrame(FRAME_ERRORS[name], 3);
      expect(error).toBeInstanceOf(kind);
      expect(error).toMatchObject({ frameCode: FRAME_ERRORS[name], relayCode: name });
    });
  }

  it('an unknown code is a BadRequestError without a name', () => {
    expect(errorFromFrame(999, 0)).toBeInstanceOf(BadRequestError);
    expect(errorFromFrame(999, 0).relayCode).toBeUndefined();
  });

  it('drops only sends that can never succeed as they are', () => {
    const permanent = (Object.keys(FRAME_ERRORS) as FrameErrorName[]).filter((n) =>
      isPermanentSendError(FRAME_ERRORS[n]),
    );
    expect(permanent.sort()).toEqual(
      [
        'forbidden',
        'frame-too-large',
        'malformed-envelope',
        'malformed-frame',
        'unknown-frame-type',
        'unknown-recipient',
        'unsupported-version',
      ].sort(),
    );
  });

  it('close 4401 is UnauthorizedError, 4410 GoneError, others ask only for a reconnect', () => {
    expect(errorFromClose(4401)).toBeInstanceOf(UnauthorizedError);
    expect(errorFromClose(4410)).toBeInstanceOf(GoneError);
    expect(errorFromClose(1001)).toBeUndefined();
    expect(errorFromClose(1006)).toBeUndefined();
  });
});
