import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { cachedFiles, serveAssets } from '../static-files.ts';

/**
 * GET /map: the heat map page, served by the app itself with every asset (officials' networks are
 * often closed to CDNs): Leaflet, leaflet.heat and leaflet.markercluster from node_modules, our
 * page and its reusable map module (otklik-map.js, mounted again by the web console), and the
 * page's texts from locales/<lang>/map.json. The page holds no data: it asks for an API key and
 * calls the admin API with it. The tile server is configuration; without tiles (offline) the page
 * still draws boundaries and data.
 */
export interface MapPageOptions {
  tileUrl: string;
  tileAttribution: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const localesDir = path.join(here, '..', '..', 'locales');
const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const PNG = 'image/png';

/** Every file the page may load, by its URL name under /map/: [file on disk, content type]. */
function assetTable(): Record<string, [string, string]> {
  const leaflet = path.join(packageDir('leaflet'), 'dist');
  const cluster = path.join(packageDir('leaflet.markercluster'), 'dist');
  const heat = path.join(packageDir('leaflet.heat'), 'dist');
  const stat = (file: string) => path.join(here, 'static', file);
  return {
    'page.js': [stat('page.js'), JS],
    'otklik-map.js': [stat('otklik-map.js'), JS],
    'map.css': [stat('map.css'), CSS],
    'vendor/leaflet.js': [path.join(leaflet, 'leaflet.js'), JS],
    'vendor/leaflet.css': [path.join(leaflet, 'leaflet.css'), CSS],
    'vendor/images/layers.png': [path.join(leaflet, 'images', 'layers.png'), PNG],
    'vendor/images/layers-2x.png': [path.join(leaflet, 'images', 'layers-2x.png'), PNG],
    'vendor/images/marker-icon.png': [path.join(leaflet, 'images', 'marker-icon.png'), PNG],
    'vendor/leaflet-heat.js': [path.join(heat, 'leaflet-heat.js'), JS],
    'vendor/leaflet.markercluster.js': [path.join(cluster, 'leaflet.markercluster.js'), JS],
    'vendor/MarkerCluster.css': [path.join(cluster, 'MarkerCluster.css'), CSS],
    'vendor/MarkerCluster.Default.css': [path.join(cluster, 'MarkerCluster.Default.css'), CSS],
  };
}

/** The tile server's origin as a CSP source ({s} subdomains become a wildcard); null when not http(s). */
export function tileSource(tileUrl: string): string | null {
  const match = /^(https?:\/\/[^/]+)/i.exec(tileUrl.replace(/\{s\}/g, '*'));
  return match ? match[1]! : null;
}

export function createMapPage(options: MapPageOptions): Hono {
  const assets = assetTable();
  const read = cachedFiles();
  const tiles = tileSource(options.tileUrl);
  const csp = [
    "default-src 'self'",
    `img-src 'self' data: blob:${tiles ? ` ${tiles}` : ''}`,
    // Leaflet positions its panes through style attributes.
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const app = new Hono();

  app.get('/', async (c) => {
    const html = await read(path.join(here, 'static', 'index.html'));
    return c.body(html.slice().buffer, 200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
  });

  app.get('/config.json', (c) => c.json({ tileUrl: options.tileUrl, tileAttribution: options.tileAttribution }, 200, { 'cache-control': 'no-cache' }));

  app.get('/i18n/:file', async (c) => {
    const lang = /^(ru|en)\.json$/.exec(c.req.param('file'))?.[1];
    if (!lang) return c.notFound();
    return c.body((await read(path.join(localesDir, lang, 'map.json'))).slice().buffer, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
  });

  serveAssets(app, assets, read);
  return app;
}
