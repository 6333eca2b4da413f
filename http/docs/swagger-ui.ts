import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';

/** The files of swagger-ui-dist the page needs, with their types; nothing else is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** Where swagger-ui-dist is installed, or null when it is not (the docs then answer 503). */
export function resolveSwaggerUiDir(): string | null {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    return null;
  }
}

export interface DocsOptions {
  /** Where this app is mounted, e.g. /api/docs: asset URLs are absolute under it. */
  basePath: string;
  /** The OpenAPI document to show. */
  specUrl: string;
  /** swagger-ui-dist's directory; defaults to the installed package. */
  assetsDir?: string | null;
}

/**
 * Swagger UI with every asset served by the app itself: officials' networks are often closed,
 * so nothing may come from a CDN. The page has no inline script (the initializer is a file),
 * and its Content-Security-Policy allows this origin only.
 */
export function createDocsApp(options: DocsOptions): Hono {
  const dir = options.assetsDir === undefined ? resolveSwaggerUiDir() : options.assetsDir;
  const base = options.basePath.replace(/\/+$/, '');
  const cache = new Map<string, Uint8Array>();
  const app = new Hono();

  app.use('*', async (c, next) => {
    if (!dir) {
      return c.json({ type: 'about:blank', title: 'API docs unavailable', status: 503, code: 'DOCS_UNAVAILABLE', detail: 'swagger-ui-dist is not installed' }, 503, {
        'content-type': 'application/problem+json',
      });
    }
    await next();
  });

  app.get('/', (c) =>
    c.html(page(base), 200, {
      'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    }),
  );

  app.get('/init.js', (c) =>
    c.body(initializer(options.specUrl), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
  );

  app.get('/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type || !dir) return c.notFound();
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = new Uint8Array(await readFile(path.join(dir, file)));
      cache.set(file, bytes);
    }
    return c.body(bytes.slice().buffer, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}

function page(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Otklik admin API</title>
  <link rel="stylesheet" href="${base}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${base}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${base}/swagger-ui-bundle.js"></script>
  <script src="${base}/swagger-ui-standalone-preset.js"></script>
  <script src="${base}/init.js"></script>
</body>
</html>
`;
}

function initializer(specUrl: string): string {
  return `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(specUrl)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;
}
