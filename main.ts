import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { buildApp, type App } from './app.ts';
import { loadConfig, type Config } from './config.ts';
import { createLifecycle, startingResponse } from './http/app.ts';
import { createLogger } from './logger.ts';
import { exitOnStartupFailure, exitWithLine, explainListenFailure } from './startup-failure.ts';

/**
 * The process entry: config → listening socket → app → background work. The socket opens first,
 * so the probes answer while migrations run (live 200, ready 503). SIGTERM/SIGINT shut down
 * gracefully: readiness and new webhooks answer 503 (the messenger delivers those again), the
 * webhooks in flight finish, the outbox senders settle what they sent and release their leases,
 * cron stops, and only then the listener closes and the pool with it, all within
 * SHUTDOWN_TIMEOUT_MS (else the process exits with code 1).
 */
// A value the app cannot run with, a database it cannot reach, a port in use: one line naming the
// variable and exit 1 (startup-failure.ts), not a stack trace.
let config: Config;
try {
  config = loadConfig();
} catch (error) {
  exitOnStartupFailure(error);
}
const logger = createLogger(config.LOG_LEVEL);
const lifecycle = createLifecycle();
let app: App | undefined;

const server = serve({ fetch: (request, env) => (app ? app.http.fetch(request, env) : startingResponse(request)), port: config.PORT, hostname: config.HOST }, (info) =>
  logger.info({ port: info.port }, 'socket open: probes answer while the app starts'),
) as Server;
server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.syscall !== 'listen' && error.syscall !== 'getaddrinfo') throw error;
  exitWithLine(explainListenFailure(error, 'HOST, PORT'));
});
let metricsServer: Server | undefined;
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  lifecycle.stopping = true;
  const startedAt = Date.now();
  logger.info({ signal, webhooksInFlight: lifecycle.inFlight, deadlineMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down: new webhooks answer 503');
  const deadline = setTimeout(() => {
    logger.error({ webhooksInFlight: lifecycle.inFlight }, 'shutdown deadline passed: exiting with work unfinished (leases bring unsent rows back)');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  deadline.unref();
  await lifecycle.drained();
  // The socket stays open for the whole drain: a new connection (a proxy that has not yet seen
  // readiness fail, a messenger re-sending) gets a 503 it can act on, not a refused connection.
  // An admin upload's boundary check may run for BOUNDARY_CHECK_TIMEOUT_MS: it is ended first (503,
  // nothing saved). Then background work settles: senders finish their calls and release their
  // rows, cron and the copier stop.
  await app?.overlapChecker.stop();
  await app?.stopWork();
  // Then the listeners close, last before the pool: idle keep-alive connections now, the others as
  // their requests end (every answer while draining carries `Connection: close`).
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  metricsServer?.close();
  metricsServer?.closeIdleConnections();
  await closed;
  logger.info({ ms: Date.now() - startedAt }, 'listener closed');
  await app?.stop();
  logger.info({ ms: Date.now() - startedAt }, 'stopped');
  process.exit(0);
}
// Handled from the moment the socket is open: a SIGTERM during the start (or right after the
// "listening" line) must stop the process gracefully, not kill it by the signal's default action.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  app = await buildApp({ config, logger, lifecycle });
  const metricsHttp = app.metricsHttp;
  metricsServer = metricsHttp && config.METRICS_PORT ? (serve({ fetch: metricsHttp.fetch, port: config.METRICS_PORT, hostname: config.HOST }) as Server) : undefined;
  metricsServer?.on('error', (error: NodeJS.ErrnoException) => {
    if (error.syscall !== 'listen' && error.syscall !== 'getaddrinfo') throw error;
    exitWithLine(explainListenFailure(error, 'HOST, METRICS_PORT'));
  });
  if (!stopping) await app.start();
} catch (error) {
  exitOnStartupFailure(error, config.DATABASE_URL);
}
const address = server.address();
logger.info({ port: typeof address === 'object' && address ? address.port : config.PORT, database: app.database.kind }, 'Otklik is listening');
