/** Names and short codes for people: visitors are anonymous, so they are named by their conversation. */
export function visitorName(conversationId: string): string {
  return `Visitor ${conversationId.slice(0, 4).toUpperCase()}`;
}

/** A stable hue (0–359) for an avatar, from an id. */
export function hueOf(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

export function initials(name: string): string {
  const words = name
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const first = words[0]?.[0] ?? '?';
  const second = words.length > 1 ? (words[words.length - 1]?.[0] ?? '') : '';
  return (first + second).toUpperCase();
}

/** Groups a code for reading aloud: "483 921", or fingerprints in blocks of four. */
export function groupCode(code: string, size: number): string {
  const compact = code.replace(/\s+/g, '');
  const groups: string[] = [];
  for (let i = 0; i < compact.length; i += size) groups.push(compact.slice(i, i + size));
  return groups.join(' ');
}
