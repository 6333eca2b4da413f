import { serve } from '@hono/node-server';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';

/** The process entry: config → app → listening socket; SIGTERM/SIGINT shut down cleanly. */
const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const app = await buildApp({ config, logger });
const server = serve({ fetch: app.http.fetch, port: config.PORT, hostname: config.HOST }, (info) =>
  logger.info({ port: info.port, database: app.database.kind }, 'Otklik is listening'),
);
await app.start();

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await app.stop();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
