/**
 * Steps a person takes in the agent app, shared by the extension and PWA browser tests: fill the
 * onboarding form, read the recovery key, type two groups back, open a conversation, reply.
 */
import type { ElementHandle, Page } from 'puppeteer-core';

/** Clicks the first button or link whose visible text contains `text`. */
export async function clickText(page: Page, text: string): Promise<void> {
  await page.bringToFront();
  // A locator clicks once the element is visible, enabled and has stopped moving: a notice or a
  // "typing…" line arriving must not move the button away between finding it and clicking it.
  await page.locator(`::-p-xpath(//*[self::button or self::a][contains(normalize-space(.), "${text}")])`).click();
}

/** Types into the input labelled `label` (its <label> text), once that label is on the screen. */
export async function typeInto(page: Page, label: string, value: string): Promise<void> {
  const handle = await page.waitForSelector(`::-p-xpath(//label[normalize-space(.)="${label}"])`, { visible: true });
  if (handle === null) throw new Error(`no label "${label}"`);
  const id = await handle.evaluate((element) => element.getAttribute('for') ?? '');
  await handle.dispose();
  await page.locator(`[id="${id}"]`).fill(value);
}

/** Waits until the page shows `text`; on a timeout the error says what the page showed instead. */
export async function waitForText(page: Page, text: string, timeout = 15_000): Promise<void> {
  // A background tab gets no animation frames, and puppeteer polls on them: wait in the front tab.
  await page.bringToFront();
  try {
    await page.waitForFunction((wanted: string) => document.body.innerText.includes(wanted), { timeout }, text);
  } catch (error) {
    const shown = await page.evaluate(() => document.body.innerText).catch(() => '(page gone)');
    throw new Error(`"${text}" did not appear on ${page.url()}; the page shows:\n${shown}`, { cause: error });
  }
}

export async function fillAccountForm(page: Page, relayUrl: string): Promise<void> {
  await typeInto(page, 'Relay address', relayUrl);
  await typeInto(page, 'Business name', 'Harbour Dental Clinic');
  await typeInto(page, 'Your name', 'Maria Santos');
  await typeInto(page, 'Username', 'harbour-dental');
  await typeInto(page, 'Password', 'tide pool lantern orchard');
  await typeInto(page, 'Password again', 'tide pool lantern orchard');
}

/** On the "Check your copy" step: reads which groups are asked for and types them from `key`. */
export async function typeRecoveryGroups(page: Page, recoveryKey: string): Promise<void> {
  const groups = recoveryKey.split(' ');
  const labels = await page.$$eval('label', (elements) =>
    elements.map((element) => element.textContent.trim()).filter((text) => /^Group \d+$/.test(text)),
  );
  for (const label of labels) {
    const index = Number(label.slice('Group '.length)) - 1;
    await typeInto(page, label, groups[index] ?? '');
  }
}

/** Records CSP violations from the next document on (call before page.goto). */
export async function watchCsp(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const seen: string[] = [];
    (globalThis as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.violatedDirective}: ${event.blockedURI}`);
    });
  });
}

/** The CSP violations the page reported since watchCsp (none is the only good answer). */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((globalThis as unknown as { cspViolations?: string[] }).cspViolations ?? [])]);
}

/** Waits for `selector`; on a timeout the error says what the page showed instead. */
export async function shown(page: Page, selector: string, timeout = 30_000): Promise<ElementHandle> {
  await page.bringToFront(); // background tabs get no animation frames, which puppeteer polls on
  try {
    const element = await page.waitForSelector(selector, { visible: true, timeout });
    if (element !== null) return element;
  } catch {
    // Explained below.
  }
  const text = await page.evaluate(() => document.body.innerText);
  throw new Error(`${selector} did not appear; the page shows:\n${text}`);
}

/** Waits until the visitor's widget (its closed shadow root's log) shows `text`. */
export async function visitorSees(page: Page, text: string): Promise<void> {
  await page.bringToFront();
  await page.waitForFunction(
    (wanted: string) =>
      document.querySelector('sealdesk-chat')?.shadowRoot?.querySelector('.log')?.textContent.includes(wanted) === true,
    { timeout: 30_000 },
    text,
  );
}

/** Opens the widget on the visitor's page with a click on its launcher. */
export async function openWidget(page: Page): Promise<void> {
  const launcher = await page.waitForFunction(
    () => {
      const r = document.querySelector('sealdesk-chat')?.getBoundingClientRect();
      return r === undefined || r.width === 0 ? undefined : [r.left + r.width / 2, r.top + r.height / 2];
    },
    { timeout: 30_000 },
  );
  const [x, y] = (await launcher.jsonValue()) ?? [0, 0];
  await page.bringToFront();
  await page.mouse.click(x ?? 0, y ?? 0);
}

/** Types `text` into the open widget's composer (once it has the focus), sends it, sees it in the log. */
export async function visitorWrites(page: Page, text: string): Promise<void> {
  await page.bringToFront();
  await page.waitForFunction(
    () => document.querySelector('sealdesk-chat')?.shadowRoot?.activeElement?.tagName === 'TEXTAREA',
    { timeout: 30_000 },
  );
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await visitorSees(page, text);
}
