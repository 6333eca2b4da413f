import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../logger.ts';

export interface HttpDeps {
  logger: Logger;
  health: () => Promise<Record<string, unknown>>;
}

export type AppEnv = { Variables: { requestId: string } };

/** The one Hono app: /health here; webhooks and the admin API are mounted by app.ts. */
export function createHttpApp(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestId());
  app.get('/health', async (c) => {
    try {
      return c.json({ status: 'ok', ...(await deps.health()) });
    } catch (error) {
      deps.logger.error({ err: error, requestId: c.get('requestId') }, 'health check failed');
      return c.json({ status: 'error' }, 503);
    }
  });
  app.onError((error, c) => {
    deps.logger.error({ err: error, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    return c.json({ status: 'error', requestId: c.get('requestId') }, 500);
  });
  return app;
}
