/**
 * The "type part of it back" step after the recovery key is shown: the person types two groups of
 * the key chosen at random, which shows they wrote it down (or printed the kit) before going on.
 */
export interface RecoveryKeyChallenge {
  /** Zero-based indexes of the groups to type, in increasing order. */
  readonly groups: readonly number[];
}

/** Groups as shown: split on spaces or hyphens; a key without separators is cut into fours. */
export function recoveryKeyGroups(recoveryKey: string): readonly string[] {
  const parts = recoveryKey
    .trim()
    .split(/[\s-]+/)
    .filter((part) => part !== '');
  if (parts.length > 1) return parts;
  const whole = parts[0] ?? '';
  const groups: string[] = [];
  for (let i = 0; i < whole.length; i += 4) groups.push(whole.slice(i, i + 4));
  return groups;
}

export function pickChallenge(groupCount: number, count = 2): RecoveryKeyChallenge {
  const chosen = new Set<number>();
  const want = Math.min(count, groupCount);
  const random = new Uint32Array(1);
  while (chosen.size < want) {
    crypto.getRandomValues(random);
    chosen.add((random[0] ?? 0) % groupCount);
  }
  return { groups: [...chosen].sort((a, b) => a - b) };
}

function normalise(text: string): string {
  return text.replace(/[\s-]+/g, '').toUpperCase();
}

export function checkChallengeAnswer(
  recoveryKey: string,
  challenge: RecoveryKeyChallenge,
  answers: readonly string[],
): boolean {
  const groups = recoveryKeyGroups(recoveryKey);
  return challenge.groups.every((index, i) => normalise(answers[i] ?? '') === normalise(groups[index] ?? '\u0000'));
}
