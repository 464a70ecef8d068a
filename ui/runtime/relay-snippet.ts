/**
 * The embed snippet for the agent runtime's `snippetTag` port: widget/snippet's generator with the
 * widget build's manifest (file names and Subresource Integrity hashes) read from the relay that
 * serves the widget (`<relay>/widget/manifest.json`, issue #12). Isolated mode names the frame page
 * on the relay; a business hosting its own frame origin generates its snippet with `npm run snippet`.
 */
import type { FetchLike } from '../../shared/transport/index.js';
import { parseSnippet, parseWidgetManifest, snippetTag } from '../../widget/snippet/index.js';
import { WidgetBuildUnavailableError } from '../errors/app-errors.js';

export interface SnippetRequest {
  readonly relay: string;
  readonly account: string;
  readonly pin: string;
  readonly mode: 'default' | 'isolated';
}

export function relaySnippet(fetchFn: FetchLike): (request: SnippetRequest) => Promise<string> {
  return async (request) => {
    const base = `${request.relay.replace(/\/$/, '')}/widget/`;
    let response: Response;
    try {
      response = await fetchFn(`${base}manifest.json`, { cache: 'no-cache' });
    } catch (error) {
      throw new WidgetBuildUnavailableError(`the widget files of ${request.relay} cannot be reached`, { cause: error });
    }
    if (!response.ok)
      throw new WidgetBuildUnavailableError(`${request.relay} serves no widget build (${String(response.status)})`);
    const manifest = parseWidgetManifest(await response.json());
    const options = parseSnippet({
      relay: request.relay,
      account: request.account,
      pin: request.pin,
      mode: request.mode,
      ...(request.mode === 'isolated' ? { frame: `${base}${manifest.framePage}` } : {}),
    });
    return snippetTag(options, manifest);
  };
}
