/**
 * One small interface over the three browser engines the widget is tested in (issue #12 item 9;
 * /work/shared/design/toolchain.md "Three browser engines"): real Chromium and real Firefox ESR through
 * puppeteer-core, real WebKitGTK (MiniBrowser) through WebKitWebDriver. Page functions are passed as
 * source text and take JSON arguments, so the same test body runs in every engine.
 */
export const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
export type EngineName = (typeof ENGINES)[number];

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** Keys the tests press (WebDriver's code points, puppeteer's names). */
export const KEYS = { Enter: '\uE007', Escape: '\uE00C', Tab: '\uE004' } as const;
export type Key = keyof typeof KEYS;

export interface EnginePage {
  readonly engine: EngineName;
  goto(url: string): Promise<void>;
  /** Runs `fn` — the source of a function, possibly async — in the top document with `args`; returns its JSON result. */
  run<T>(fn: string, ...args: readonly Json[]): Promise<T>;
  /** The same inside the first frame whose address starts with `urlPrefix`. */
  runInFrame<T>(urlPrefix: string, fn: string, ...args: readonly Json[]): Promise<T>;
  /** A trusted click at viewport coordinates (closed shadow roots cannot be selected into). */
  click(x: number, y: number): Promise<void>;
  /** Types into the focused element. */
  type(text: string): Promise<void>;
  press(key: Key): Promise<void>;
  setViewport(width: number, height: number): Promise<void>;
  screenshot(): Promise<Uint8Array>;
}

export interface EngineBrowser {
  readonly engine: EngineName;
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

/** Polls `fn` in the page until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitInPage<T>(
  page: Pick<EnginePage, 'run'>,
  fn: string,
  args: readonly Json[] = [],
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await page.run<T>(fn, ...args);
      if (last !== null && last !== undefined && last !== false && last !== '') return last as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${fn.slice(0, 120)} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
