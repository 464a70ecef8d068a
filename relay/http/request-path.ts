/**
 * The path of a request target. `new URL` reads a target starting `//` as a host, and throws for
 * an empty or invalid one (`//`, `//%b6`): that must be a typed 400 (or a refused upgrade), never
 * an exception — in the upgrade listener it ended the process (issue #16 item 5).
 */
export function requestPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://relay.invalid').pathname;
  } catch {
    return undefined;
  }
}
