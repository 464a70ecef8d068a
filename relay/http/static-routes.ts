/**
 * Routes for the built web files (static-sites.ts): `/` and the bare prefixes redirect to the folder,
 * a file under a prefix is served or 404, and a site that has not been built answers 503 with the
 * command that builds it. Only GET and HEAD.
 */
import { HttpError } from '../errors.js';
import { type Route, route } from './router.js';
import { siteHandler, STATIC_SITES, type StaticSite } from './static-sites.js';

function redirect(to: string): Route['handle'] {
  return ({ res }) => {
    res.writeHead(302, { location: to, 'cache-control': 'no-cache', 'content-length': 0 });
    res.end();
    return Promise.resolve();
  };
}

function siteRoutes(site: StaticSite, staticDir: string): Route[] {
  const handler = siteHandler(site, staticDir);
  const serve: Route['handle'] = ({ req, res }) => {
    if (handler === undefined) {
      throw new HttpError(
        503,
        'not-built-yet',
        `${site.prefix}/ is not built yet: run ${site.buildCommand} (or npm run build)`,
      );
    }
    // The pathname is already normalised by the WHATWG URL parser (`.`/`..` resolved); serve-static
    // looks the rest up under the site's folder only. The query is not part of the lookup.
    const pathname = new URL(req.url ?? '/', 'http://relay.invalid').pathname;
    req.url = pathname.slice(site.prefix.length);
    return new Promise<void>((resolve, reject) => {
      res.once('finish', resolve);
      res.once('close', resolve);
      handler(req, res, (error?: unknown) => {
        // Not found, and refused odd paths (serve-static's 400/403 for `..` or a malformed path): 404.
        const status: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, 'status') : 404;
        if (error === undefined || status === 400 || status === 403 || status === 404)
          reject(new HttpError(404, 'not-found', `no file ${pathname}`));
        else reject(error instanceof Error ? error : new HttpError(500, 'internal', 'the file could not be read'));
      });
    });
  };
  const path = `${site.prefix}/.*`;
  return [
    route('GET', site.prefix, redirect(`${site.prefix}/`)),
    route('HEAD', site.prefix, redirect(`${site.prefix}/`)),
    route('GET', path, serve),
    route('HEAD', path, serve),
  ];
}

/** Made once at start: each site lists its files then (a rebuild needs a restart, or a new hash is 404). */
export function staticRoutes(staticDir: string): readonly Route[] {
  return [route('GET', '/', redirect('/app/')), ...STATIC_SITES.flatMap((site) => siteRoutes(site, staticDir))];
}
