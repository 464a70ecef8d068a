/** Minimal assertions for portable cases (see ./portable-case.ts). Each failure throws AssertionFailure. */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function assertTrue(condition: boolean, what: string): asserts condition {
  if (!condition) throw new AssertionFailure(`expected ${what}`);
}

export function assertEqual<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) {
    throw new AssertionFailure(`${what}: expected ${String(expected)}, got ${String(actual)}`);
  }
}

export function assertBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const a = hex(actual);
  const e = hex(expected);
  if (a !== e) throw new AssertionFailure(`${what}: expected ${e}, got ${a}`);
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** Awaits `action` and requires it to fail with an instance of `errorClass`. Returns the error. */
export async function assertRejects<E extends Error>(
  action: () => Promise<unknown>,
  errorClass: ErrorClass & { prototype: E },
  what: string,
): Promise<E> {
  try {
    await action();
  } catch (error) {
    if (error instanceof errorClass) return error;
    const got = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new AssertionFailure(`${what}: expected ${errorClass.name}, got ${got}`);
  }
  throw new AssertionFailure(`${what}: expected ${errorClass.name}, but it succeeded`);
}

export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || /[^0-9a-fA-F]/.test(text)) throw new AssertionFailure(`bad hex in a vector: ${text.slice(0, 16)}…`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
