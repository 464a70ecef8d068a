/**
 * The isolated mode's origin check (F13, THREAT-MODEL §8): a window message is taken only from one
 * exact origin and one exact window; every other one is ignored and counted. The count is written
 * where the page's owner can read it (`data-ignored-messages`), and the first one is logged.
 */
export class OriginGuard {
  #ignored = 0;

  constructor(
    private readonly origin: string,
    private readonly source: () => MessageEventSource | null,
    private readonly record: (ignored: number) => void,
  ) {}

  get ignored(): number {
    return this.#ignored;
  }

  /** True when `event` comes from the expected window at the expected origin. */
  accepts(event: MessageEvent): boolean {
    const source = this.source();
    if (source !== null && event.source === source && event.origin === this.origin) return true;
    this.ignore(event.origin);
    return false;
  }

  /** Counts a message that is not ours to take (wrong sender, wrong origin, or one too many). */
  ignore(origin: string): void {
    this.#ignored += 1;
    if (this.#ignored === 1) console.warn(`Sealdesk: ignored a message from ${origin || 'an unknown origin'}`);
    this.record(this.#ignored);
  }
}
