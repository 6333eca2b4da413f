import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
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

function validationErrors(error: ZodError, target: string) {
  return error.issues.map((issue) => ({ in: target, path: issue.path.join('.'), message: issue.message }));
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
        return problemResponse(c, { status: 400, code: 'VALIDATION', errors: validationErrors(result.error, result.target) });
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
  api.all('*', (c) => problemResponse(c, { status: 404, code: 'ROUTE_NOT_FOUND', detail: `${c.req.method} ${c.req.path}` }));

  api.onError((error, c) => {
    const { problem, unexpected } = problemFor(error);
    const log = c.get('log') ?? deps.logger;
    if (unexpected) log.error({ err: error, requestId: c.get('requestId') }, 'admin API request failed');
    return problemResponse(c, problem);
  });
  return api;
}
