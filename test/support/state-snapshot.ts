/**
 * A deep, comparable snapshot of protocol state (plain data, byte strings and CryptoKeys), used to
 * show that hostile input leaves state unchanged (security brief §4: "nothing lost"). Byte strings
 * become hex, CryptoKeys become a stable per-object token (the same key object gives the same
 * token), so a mutated field, a replaced key or a changed counter all change the snapshot.
 */
const keyTokens = new WeakMap<CryptoKey, number>();
let nextToken = 1;

function keyToken(key: CryptoKey): string {
  let token = keyTokens.get(key);
  if (token === undefined) {
    token = nextToken++;
    keyTokens.set(key, token);
  }
  return `CryptoKey#${token}(${key.type})`;
}

function walk(value: unknown, seen: Set<object>): unknown {
  if (value instanceof Uint8Array) return `bytes:${Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) return keyToken(value);
  if (value === undefined) return '<undefined>';
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  const out: unknown = Array.isArray(value)
    ? value.map((v: unknown) => walk(v, seen))
    : Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, walk((value as Record<string, unknown>)[k], seen)]),
      );
  seen.delete(value);
  return out;
}

export function snapshot(value: unknown): string {
  return JSON.stringify(walk(value, new Set()));
}
