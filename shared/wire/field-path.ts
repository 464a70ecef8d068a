/**
 * Field paths in wire error messages: `envelope.recipient.deviceId`, `devices[3].name`.
 * A path with no root name starts with `value`.
 */
export function formatFieldPath(parts: readonly string[]): string {
  let text = 'value';
  parts.forEach((part, i) => {
    if (i === 0 && !part.startsWith('[')) text = part;
    else text += part.startsWith('[') ? part : `.${part}`;
  });
  return text;
}
