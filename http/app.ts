import { type Context, Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { inboundUpdates } from '../core/metrics/metrics.ts';
import type { Logger } from '../logger.ts';
import { clientGone, clientGoneCause, clientGoneResponse } from './client-gone.ts';

/**
 * Where the process is in its life: not ready until the migrations are applied, draining once
 * SIGTERM arrived (webhooks then answer 503 so the messenger delivers them again elsewhere or
 * later), and how many webhook requests are being handled right now.
 */
export interface Lifecycle {
  migrated: boolean;
  stopping: boolean;
  /** Webhook requests being handled now. */
  readonly inFlight: number;
  enter(): void;
  leave(): void;
  /** Resolves once no webhook request is in flight. */
  drained(): Promise<void>;
}

export function createLifecycle(): Lifecycle {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  return {
    migrated: false,
    stopping: false,
    get inFlight() {
      return inFlight;
    },
    enter() {
      inFlight += 1;
    },
    leave() {
      inFlight -= 1;
      if (inFlight === 0) {
        for (const resolve of waiters) resolve();
        waiters = [];
      }
    },
    drained() {
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

export interface HttpDeps {
  logger: Logger;
  lifecycle: Lifecycle;
  /** Whether the database answers now (a short query); readiness is false when it does not. */
  databaseUp: () => Promise<boolean>;
}

export type AppEnv = { Variables: { requestId: string } };

/**
 * Retry-After of a webhook refused while starting or stopping: about the time another instance (or
 * this one, restarted or migrated) needs.
 */
const WEBHOOK_RETRY_AFTER_SECONDS = 5;

/**
 * What main.ts answers while the app is being built (migrations not applied yet): liveness 200,
 * everything else 503; a webhook with Retry-After, as while stopping.
 */
export function startingResponse(request: Request): Response {
  const path = new URL(request.url).pathname;
  if (path === '/health/live') return Response.json({ status: 'ok' });
  const headers = path.startsWith('/webhooks/') ? { 'Retry-After': String(WEBHOOK_RETRY_AFTER_SECONDS) } : undefined;
  return Response.json({ status: 'unavailable' }, { status: 503, headers });
}

const WEBHOOK_CHANNEL: Record<string, string> = { telegram: 'tg', vk: 'vk' };

/**
 * The one Hono app: health probes and the webhook gate here; webhooks, metrics and the admin API
 * are mounted by app.ts. Probes say 200 or 503 and nothing else (details: GET /api/v1/system/health).
 * - /health/live: the process serves HTTP (restart it when this fails);
 * - /health/ready and /health: migrations applied, not shutting down, database answering (send traffic).
 */
export function createHttpApp(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { lifecycle } = deps;
  app.use('*', requestId());
  // A client that closed its connection before its body had all arrived, on any route, whatever
  // failed then or was answered to nobody: one warning line (no stack) and 499. The error handlers of
  // the app and of the mounted apps (admin API, Open311) answer it without logging the error
  // (clientGoneResponse). A messenger sends its update again: counted for webhooks.
  app.use('*', async (c, next) => {
    await next();
    if (!clientGone(c)) return;
    const webhook = /^\/webhooks\/([^/]+)$/.exec(c.req.path)?.[1];
    if (webhook !== undefined) inboundUpdates.inc({ channel: WEBHOOK_CHANNEL[webhook] ?? 'unknown', outcome: 'client_aborted' });
    deps.logger.warn({ requestId: c.get('requestId'), path: c.req.path, cause: clientGoneCause(c) }, 'the client closed the connection before its request body arrived');
    c.res = undefined; // a new answer, not one merged with the headers of the answer it replaces
    c.res = clientGoneResponse();
  });
  // Draining: every answer closes its connection. A client that keeps a keep-alive connection
  // busy (a proxy's upstream pool, a messenger re-sending the updates refused with 503) would
  // otherwise never let the server close, and the process would wait for its deadline and exit
  // without stopping its senders.
  app.use('*', async (c, next) => {
    await next();
    if (lifecycle.stopping) c.header('Connection', 'close');
  });
  app.get('/health/live', (c) => c.json({ status: 'ok' }));
  const ready = async (c: Context<AppEnv>) => {
    const ok = lifecycle.migrated && !lifecycle.stopping && (await deps.databaseUp().catch(() => false));
    return ok ? c.json({ status: 'ok' }) : c.json({ status: 'unavailable' }, 503);
  };
  app.get('/health', ready);
  app.get('/health/ready', ready);
  // Webhooks: refused with 503 while stopping (the messenger retries), counted while handled.
  app.use('/webhooks/:channel', async (c, next) => {
    if (lifecycle.stopping) {
      inboundUpdates.inc({ channel: WEBHOOK_CHANNEL[c.req.param('channel')] ?? 'unknown', outcome: 'refused_shutting_down' });
      // A hint for a proxy or client that reads it (the messengers retry on their own schedule).
      c.header('Retry-After', String(WEBHOOK_RETRY_AFTER_SECONDS));
      return c.json({ ok: false, error: 'shutting down, try again later' }, 503);
    }
    lifecycle.enter();
    try {
      await next();
    } finally {
      lifecycle.leave();
    }
  });
  app.onError((error, c) => {
    // The read failed because the client went away: logged once, by the middleware above.
    if (clientGone(c)) return clientGoneResponse();
    deps.logger.error({ err: error, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    return c.json({ status: 'error', requestId: c.get('requestId') }, 500);
  });
  return app;
}
