import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import type { ApiEnv } from '../env.ts';
import type { Logger } from '../../../logger.ts';

/**
 * Gives the request a child logger bound to its request id, and logs one line when it ends.
 * The line names the route pattern, never the concrete URL: query strings may carry search
 * text typed from a resident's message, and logs hold no personal data.
 */
export function accessLog(logger: Logger) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const started = performance.now();
    c.set('log', logger.child({ requestId: c.get('requestId') }));
    await next();
    const principal = c.get('principal');
    c.get('log').info(
      {
        method: c.req.method,
        route: routePath(c),
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        ...(principal && { staffId: principal.staffId, keyId: principal.keyId }),
      },
      'api request',
    );
  });
}
