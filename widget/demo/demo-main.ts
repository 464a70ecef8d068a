/**
 * The demo shop's script (dist/demo/demo.js): embeds the real snippet for the business named in the
 * page's address (`?account=…&pin=…`, as the agent app's "Try it on the demo shop" link gives them;
 * `&relay=` when the page is not served by the relay, `&widget=` when the widget files are served from
 * elsewhere (self-hosted), `&mode=isolated&frame=…` for the isolated mode),
 * and shows it. The loader's file name and integrity come from the widget build's manifest.
 */
import {
  parseSnippet,
  type SnippetOptions,
  snippetAttributes,
  snippetTag,
  type WidgetManifest,
} from '../snippet/index.js';

declare const SEALDESK_WIDGET_MANIFEST: WidgetManifest;

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new TypeError(`the demo page has no #${id}`);
  return found;
}

function askForBusiness(problem?: string): void {
  const intro = element('snippet-intro', HTMLParagraphElement);
  intro.textContent = problem ?? 'No business is embedded yet.';
  const form = element('business', HTMLFormElement);
  form.hidden = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const params = new URLSearchParams(location.search);
    for (const key of ['account', 'pin']) {
      const value = data.get(key);
      params.set(key, typeof value === 'string' ? value.trim() : '');
    }
    location.search = params.toString();
  });
}

function embed(options: SnippetOptions, base: string | undefined): void {
  const manifest = SEALDESK_WIDGET_MANIFEST;
  const script = document.createElement('script');
  script.async = true;
  for (const [name, value] of snippetAttributes(options, manifest, base)) script.setAttribute(name, value);
  document.body.append(script);
  element('snippet-intro', HTMLParagraphElement).textContent =
    'The business pasted this one tag into its pages. The browser runs the loader only if its bytes match the integrity hash, and the loader runs the chat only if it matches the hash compiled into the loader.';
  element('snippet', HTMLElement).textContent = snippetTag(options, manifest, base);
}

function main(): void {
  const params = new URLSearchParams(location.search);
  const account = params.get('account');
  const pin = params.get('pin');
  if (account === null || pin === null) {
    askForBusiness();
    return;
  }
  const relay = params.get('relay') ?? location.origin;
  const mode = params.get('mode') ?? undefined;
  const frame = mode === 'isolated' ? (params.get('frame') ?? `${relay}/widget/frame.html`) : undefined;
  try {
    embed(parseSnippet({ relay, account, pin, mode, frame }), params.get('widget') ?? undefined);
  } catch (error) {
    askForBusiness(
      `This address does not name a business correctly: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

main();
