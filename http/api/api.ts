import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { clientGone, clientGoneResponse } from '../client-gone.ts';
import type { ApiDeps, ApiEnv } from './env.ts';
import { accessLog } from './middleware/access-log.ts';
import { requireApiKey } from './middleware/authenticate.ts';
import { idempotentPosts } from './middleware/idempotency.ts';
import { rejectUnsafeText } from './middleware/text-guard.ts';
import { BOUNDARY_BODY_LIMIT, DEFAULT_BODY_LIMIT, limitBody } from './middleware/body-limit.ts';
import { problemFor, problemResponse } from './problem.ts';
import { documentTransportProblems } from './route-kit.ts';
import { ROUTES } from './routes/index.ts';

export const OPENAPI_PATH = '/openapi.json';

/** Routes whose bodies may be large: GeoJSON boundaries of whole municipalities. */
const LARGE_BODY_PATHS = /\/municipalities(?:\/\d+\/boundary)?$/;
const MEDIA_UPLOAD_PATH = /\/media$/;

/**
 * The schemas' issues as problem details. A query parameter given more than once arrives as an
 * array, which a scalar schema calls «expected string, received array»: said plainly instead
 * (a comma-separated list says how to list its values, see commaList).
 */
function validationErrors(error: ZodError, target: string, repeated: (name: string) => number) {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    const times = target === 'query' && issue.code === 'invalid_type' && issue.path.length === 1 ? repeated(name) : 0;
    const message = times > 1 && !issue.message.startsWith('given more than once') ? `given ${times} times: give ${name} once` : issue.message;
    return { in: target, path: issue.path.join('.'), message };
  });
}

/**
 * The admin API (mounted at /api/v1): request log with request id, body limits, the OpenAPI
 * document (public), bearer-key authentication for everything else, and one error mapper.
 */
export function createAdminApi(deps: ApiDeps): OpenAPIHono<ApiEnv> {
  const api = new OpenAPIHono<ApiEnv>({
    // A request the schemas reject: 400 with every problem listed, as problem+json.
    defaultHook: (result, c) => {
      if (!result.success) {
        return problemResponse(c, { status: 400, code: 'VALIDATION', errors: validationErrors(result.error, result.target, (name) => c.req.queries(name)?.length ?? 0) });
      }
    },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key issued by an operator (POST /staff/{id}/keys), or ADMIN_BOOTSTRAP_TOKEN on a fresh install.',
  });

  api.use('*', accessLog(deps.logger));
  // Media uploads: the larger limit of a kind plus room for the multipart envelope; the route then
  // applies the limit of the file's own kind (413 MEDIA_TOO_LARGE).
  const mediaLimit = deps.media ? Math.max(deps.media.limits.maxImageBytes, deps.media.limits.maxVideoBytes) + 64 * 1024 : DEFAULT_BODY_LIMIT;
  api.use('*', async (c, next) =>
    limitBody(MEDIA_UPLOAD_PATH.test(c.req.path) ? mediaLimit : LARGE_BODY_PATHS.test(c.req.path) ? BOUNDARY_BODY_LIMIT : DEFAULT_BODY_LIMIT)(c, next),
  );
  // Registered before the key check: the document is public (it holds no data), and Hono runs
  // handlers in registration order, so this one answers before authentication would run.
  api.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'Otklik admin API',
      version: '1.0.0',
      description: 'The back office of the Otklik feedback platform: messages, moderation, answers, directories, staff and keys, audit. Errors are application/problem+json (RFC 9457) with a stable `code`.',
    },
    servers: [{ url: '/api/v1' }],
  });
  api.use('*', requireApiKey(deps));
  api.use('*', rejectUnsafeText());
  api.use('*', idempotentPosts(deps));
  for (const register of ROUTES) register(api, deps);
  documentTransportProblems(api);
  const allowedMethods = methodsOfPaths(api);
  api.all('*', (c) => {
    // A known path asked with a method it does not take: 405 with the methods it does (RFC 9110 §15.5.6).
    const mount = c.req.routePath.replace(/\/?\*$/, '');
    const allowed = allowedMethods(c.req.path.slice(mount.length) || '/');
    if (allowed.length > 0) {
      c.header('allow', allowed.join(', '));
      return problemResponse(c, { status: 405, code: 'METHOD_NOT_ALLOWED', detail: `${c.req.method} ${c.req.path}: this path takes ${allowed.join(', ')}` });
    }
    return problemResponse(c, { status: 404, code: 'ROUTE_NOT_FOUND', detail: `${c.req.method} ${c.req.path}` });
  });

  api.onError((error, c) => {
    // A body that failed to arrive (whatever the reader made of it): one warning, by http/app.ts.
    if (clientGone(c)) return clientGoneResponse();
    const { problem, unexpected } = problemFor(error);
    const log = c.get('log') ?? deps.logger;
    if (unexpected) log.error({ err: error, requestId: c.get('requestId') }, 'admin API request failed');
    return problemResponse(c, problem);
  });
  return api;
}

/** The methods each registered path takes (its `:param`s match one segment), read once from the router's table. */
function methodsOfPaths(api: OpenAPIHono<ApiEnv>): (path: string) => string[] {
  let table: { pattern: RegExp; methods: Set<string> }[] | undefined;
  const build = () => {
    const byPath = new Map<string, Set<string>>();
    for (const r of api.routes) {
      if (r.method === 'ALL' || r.path.includes('*')) continue;
      const methods = byPath.get(r.path) ?? new Set<string>();
      methods.add(r.method.toUpperCase());
      byPath.set(r.path, methods);
    }
    return [...byPath].map(([routePath, methods]) => ({
      pattern: new RegExp(`^${routePath.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}$`),
      methods,
    }));
  };
  return (path) => {
    table ??= build();
    const methods = new Set<string>();
    for (const { pattern, methods: own } of table) if (pattern.test(path)) for (const m of own) methods.add(m);
    return [...methods].sort();
  };
}
