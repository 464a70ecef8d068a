/** Splits vectors into fixed-size batches, so a file of 500 vectors becomes ~10 portable cases. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
