import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import { tileSource } from '../map/map-page.ts';
import { limitBodySize } from '../body-limit.ts';
import { cachedFiles, serveAssets } from '../static-files.ts';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { authenticate } from '../../core/access/api-keys.service.ts';
import { getStaff } from '../../core/access/staff.service.ts';
import { csrfMatches, csrfToken, revokeSession, signInWithCode, signInWithKey, type ConsoleSession } from '../../core/console/sessions.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db/types.ts';
import { isDomainError } from '../../core/errors.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../api/middleware/authenticate.ts';

/**
 * /console: the officials' web console. A small client (Preact + htm as ES modules, no build
 * step) over the admin API: the pages hold no business logic and call /api/v1 with the session
 * cookie and the CSRF header. This app serves the files and the session: sign in with a one-time
 * code from the bot (/login) or an API key, who am I (with the CSRF token), sign out. Every asset
 * comes from the repository or node_modules (closed networks, no CDN).
 */
export interface ConsoleDeps {
  db: Db;
  clock: Clock;
  /** Cookies get `Secure` when the app is served over https (PUBLIC_URL). */
  secureCookies: boolean;
  /** Behind a reverse proxy, the client is the first X-Forwarded-For address (TRUST_PROXY). */
  trustProxy: boolean;
  /** The message card's small map: the same tile server as /map (MAP_TILE_URL); none: the point without tiles. */
  tiles?: { tileUrl: string; tileAttribution: string };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const localesDir = path.join(here, '..', '..', 'locales');
const require = createRequire(import.meta.url);
/** A file next to a package's resolved entry point (htm exports no package.json). */
const besideEntry = (specifier: string, file: string) => path.join(path.dirname(require.resolve(specifier)), file);

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

function assetTable(): Record<string, [string, string]> {
  const own = (file: string): [string, string] => [path.join(here, 'static', file), file.endsWith('.css') ? CSS : JS];
  return {
    'app.js': own('app.js'),
    'api.js': own('api.js'),
    'pages.js': own('pages.js'),
    'ui.js': own('ui.js'),
    'access.js': own('access.js'),
    'audit-actions.js': own('audit-actions.js'),
    'pages/incidents.js': own('pages/incidents.js'),
    'pages/polls.js': own('pages/polls.js'),
    'pages/poll-form.js': own('pages/poll-form.js'),
    'pages/direct-lines.js': own('pages/direct-lines.js'),
    'pages/admin.js': own('pages/admin.js'),
    'pages/directories.js': own('pages/directories.js'),
    'pages/routing.js': own('pages/routing.js'),
    'pages/calendar.js': own('pages/calendar.js'),
    'pages/staff-card.js': own('pages/staff-card.js'),
    'pages/kpi.js': own('pages/kpi.js'),
    'pages/kpi-report.js': own('pages/kpi-report.js'),
    'pages/comments.js': own('pages/comments.js'),
    'pages/news.js': own('pages/news.js'),
    'pages/events.js': own('pages/events.js'),
    'pages/media.js': own('pages/media.js'),
    'pages/contests.js': own('pages/contests.js'),
    'pages/contest-form.js': own('pages/contest-form.js'),
    'pages/broadcasts.js': own('pages/broadcasts.js'),
    'pages/moderation.js': own('pages/moderation.js'),
    'console.css': own('console.css'),
    'vendor/preact.mjs': [besideEntry('preact', 'preact.mjs'), JS],
    'vendor/hooks.mjs': [besideEntry('preact/hooks', 'hooks.mjs'), JS],
    'vendor/htm.mjs': [besideEntry('htm', 'htm.mjs'), JS],
    // Chart.js's ESM build (the KPI dashboard's chart): its entry, the chunk it imports relatively, and its colour module.
    'vendor/chart.js': [besideEntry('chart.js', 'chart.js'), JS],
    'vendor/chunks/index.js': [besideEntry('chart.js', 'chunks/index.js'), JS],
    'vendor/color.esm.js': [besideEntry('@kurkle/color', 'color.esm.js'), JS],
    // Leaflet's ESM build and stylesheet (the message card's small map, as on /map).
    'vendor/leaflet.mjs': [besideEntry('leaflet', 'leaflet-src.esm.js'), JS],
    'vendor/leaflet.css': [besideEntry('leaflet', 'leaflet.css'), CSS],
  };
}

/** The page's one inline script is its import map: allowed by its hash, nothing else inline. */
function contentSecurityPolicy(page: string, tileUrl: string | undefined): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
  const hash = createHash('sha256').update(importMap, 'utf8').digest('base64');
  const tiles = tileUrl ? tileSource(tileUrl) : null;
  return [
    "default-src 'self'",
    `img-src 'self' data: blob:${tiles ? ` ${tiles}` : ''}`,
    "style-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
  ].join('; ');
}

const SignIn = z.union([z.strictObject({ code: z.string().min(1).max(40) }), z.strictObject({ apiKey: z.string().min(1).max(200) })]);

/** The caller's address for the sign-in limit: the socket's, or behind a trusted proxy the one it forwards. */
function clientOf(c: Context, trustProxy: boolean): string {
  const forwarded = trustProxy ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
  if (forwarded) return forwarded.slice(0, 64);
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // no socket (app.request in tests)
  }
}

/** The largest sign-in body (POST /console/session): `{"code": …}` or `{"apiKey": …}`. */
export const SIGN_IN_BODY_LIMIT = 4096;

export function createConsoleApp(deps: ConsoleDeps): Hono {
  const assets = assetTable();
  const read = cachedFiles();
  const page = readFileSync(path.join(here, 'static', 'index.html'));
  const csp = contentSecurityPolicy(page.toString('utf8'), deps.tiles?.tileUrl);
  const app = new Hono();

  const problem = (c: Context, status: 400 | 401 | 403 | 413 | 429, code: string, detail: string) =>
    c.json({ type: `https://otklik.invalid/problems/${code.toLowerCase().replaceAll('_', '-')}`, title: detail, status, code, detail }, status, { 'content-type': 'application/problem+json' });

  async function sessionBody(session: Pick<ConsoleSession, 'token' | 'expiresAt'>, principal: ConsoleSession['principal']) {
    const staff = await getStaff(deps.db, principal.staffId);
    return {
      signedIn: true,
      staff: { id: staff.id, fullName: staff.fullName, role: principal.role, municipalityId: principal.municipalityId, executorId: principal.executorId, language: staff.language },
      csrfToken: csrfToken(session.token),
      expiresAt: session.expiresAt.toISOString(),
    };
  }

  app.get('/', (c) =>
    c.body(new Uint8Array(page).buffer, 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
      'referrer-policy': 'no-referrer',
    }),
  );

  /** The tile server of the card's map (null: none configured; the map shows the point alone). */
  app.get('/map.json', (c) => c.json({ tileUrl: deps.tiles?.tileUrl ?? null, tileAttribution: deps.tiles?.tileAttribution ?? null }, 200, { 'cache-control': 'no-cache' }));

  app.get('/i18n/:file', async (c) => {
    const lang = /^(ru|en)\.json$/.exec(c.req.param('file'))?.[1];
    if (!lang) return c.notFound();
    const texts = JSON.parse(new TextDecoder().decode(await read(path.join(localesDir, lang, 'console.json'))));
    return c.json(texts, 200, { 'cache-control': 'no-cache' });
  });

  // A sign-in is a code or a key: a body past a few KiB is refused before an anonymous client makes the instance read it.
  const signInTooLarge = (c: Context) => problem(c, 413, 'PAYLOAD_TOO_LARGE', `at most ${SIGN_IN_BODY_LIMIT} bytes`);
  app.post('/session', limitBodySize(SIGN_IN_BODY_LIMIT, signInTooLarge), async (c) => {
    const body = SignIn.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return problem(c, 400, 'VALIDATION', 'send {"code": "<the code from the bot>"} or {"apiKey": "<key>"}');
    const input = { client: clientOf(c, deps.trustProxy), userAgent: c.req.header('user-agent') };
    try {
      const now = deps.clock();
      const session = 'code' in body.data ? await signInWithCode(deps.db, { ...input, code: body.data.code }, now) : await signInWithKey(deps.db, { ...input, apiKey: body.data.apiKey }, now);
      // Max-Age, not Expires: the browser counts the session's lifetime from its own clock, so a
      // client whose clock is off (or a server clock that is not the wall clock) keeps it as long.
      const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - now.getTime()) / 1000));
      setCookie(c, SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'Strict', secure: deps.secureCookies, path: '/', maxAge });
      return c.json(await sessionBody(session, session.principal), 200, { 'cache-control': 'no-store' });
    } catch (error) {
      if (isDomainError(error, 'SIGN_IN_RATE_LIMITED')) return problem(c, 429, error.code, 'too many failed sign-ins from here; try again in 15 minutes');
      if (isDomainError(error, 'SIGN_IN_CODE_INVALID') || isDomainError(error, 'UNAUTHORIZED')) return problem(c, 401, error.code, 'the code or key is wrong, used or expired');
      throw error;
    }
  });

  app.get('/session', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    // Not signed in is an answer, not an error: the page asks this first on every load.
    const signedOut = () => c.json({ signedIn: false }, 200, { 'cache-control': 'no-store' });
    if (!token) return signedOut();
    try {
      const now = deps.clock();
      const principal = await authenticate(deps.db, token, now);
      const row = await deps.db.selectFrom('api_key').select('expires_at').where('id', '=', principal.keyId).executeTakeFirstOrThrow();
      return c.json(await sessionBody({ token, expiresAt: row.expires_at ?? now }, principal), 200, { 'cache-control': 'no-store' });
    } catch (error) {
      if (isDomainError(error, 'UNAUTHORIZED')) return signedOut();
      throw error;
    }
  });

  app.delete('/session', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) return c.body(null, 204);
    if (!csrfMatches(token, c.req.header(CSRF_HEADER))) return problem(c, 403, 'CSRF', 'the X-CSRF-Token header is missing or wrong');
    const now = deps.clock();
    const principal = await authenticate(deps.db, token, now).catch(() => null);
    if (principal) await revokeSession(deps.db, principal, principal.keyId, now);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  serveAssets(app, assets, read);
  return app;
}
