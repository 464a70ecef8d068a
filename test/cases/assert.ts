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

/**
 * Runs `action` and requires it to throw, synchronously, an instance of `errorClass` whose message
 * matches `message` (a RegExp, or a string the message must contain, as vitest's `toThrow`), when
 * one is given. Returns the error.
 */
export function assertThrows<E extends Error>(
  action: () => unknown,
  errorClass: ErrorClass & { prototype: E },
  message: RegExp | string | undefined,
  what: string,
): E {
  try {
    action();
  } catch (error) {
    if (!(error instanceof errorClass)) {
      const got = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new AssertionFailure(`${what}: expected ${errorClass.name}, got ${got}`);
    }
    const matches =
      message === undefined ||
      (typeof message === 'string' ? error.message.includes(message) : message.test(error.message));
    if (!matches)
      throw new AssertionFailure(`${what}: expected a message matching ${String(message)}, got "${error.message}"`);
    return error;
  }
  throw new AssertionFailure(`${what}: expected ${errorClass.name}, but it succeeded`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `bytes ${hex(value)}`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (isRecord(value)) return `object {${Object.keys(value).join(', ')}}`;
  return String(value);
}

/** Own enumerable keys whose value is not undefined (vitest's `toEqual` treats the others as absent). */
function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort();
}

function firstDifference(actual: unknown, expected: unknown, path: string): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  if (expected instanceof Uint8Array) {
    if (!(actual instanceof Uint8Array)) return `${path}: expected ${show(expected)}, got ${show(actual)}`;
    const a = hex(actual);
    const e = hex(expected);
    return a === e ? undefined : `${path}: expected ${e}, got ${a}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected ${show(expected)}, got ${show(actual)}`;
    const a: readonly unknown[] = actual;
    const e: readonly unknown[] = expected;
    if (a.length !== e.length) return `${path}: expected length ${e.length}, got ${a.length}`;
    for (let i = 0; i < e.length; i++) {
      const difference = firstDifference(a[i], e[i], `${path}[${i}]`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) return `${path}: expected ${show(expected)}, got ${show(actual)}`;
    const aKeys = definedKeys(actual);
    const eKeys = definedKeys(expected);
    if (aKeys.join() !== eKeys.join()) return `${path}: expected keys {${eKeys.join(', ')}}, got {${aKeys.join(', ')}}`;
    for (const key of eKeys) {
      const difference = firstDifference(actual[key], expected[key], `${path}.${key}`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  return `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

/**
 * Structural equality of plain data (as vitest's `toEqual`): primitives by Object.is, Uint8Arrays
 * by content, arrays by element, objects by their keys with a defined value (key order aside).
 */
export function assertDeepEqual(actual: unknown, expected: unknown, what: string): void {
  const difference = firstDifference(actual, expected, 'value');
  if (difference !== undefined) throw new AssertionFailure(`${what}: ${difference}`);
}

export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || /[^0-9a-fA-F]/.test(text))
    throw new AssertionFailure(`bad hex in a vector: ${text.slice(0, 16)}…`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
