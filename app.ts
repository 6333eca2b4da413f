import type { Hono } from 'hono';
import { createTranslator } from './bots/i18n.ts';
import { createOutboxSenders } from './bots/outbox/senders.ts';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { connectDatabase, type DatabaseHandle } from './core/db/connect.ts';
import { createMigrator, migrateToLatest } from './core/db/migrate.ts';
import { seedDemo } from './core/seed/demo.ts';
import { createHttpApp, type AppEnv } from './http/app.ts';
import type { Logger } from './logger.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise one is opened from the config. */
  database?: DatabaseHandle;
}

export interface App {
  http: Hono<AppEnv>;
  database: DatabaseHandle;
  clock: Clock;
  /** Sends outbox rows committed by this process now instead of at the next poll. */
  kickOutbox(): void;
  /** Starts background work (senders, cron, polling); the HTTP server is started by the caller. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Wires config → db → core → bots → http → cron. Everything the process runs is created here
 * and nowhere else; main.ts only adds the listening socket and signals.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const database =
    deps.database ??
    (await connectDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      onPoolError: (err) => logger.error({ err }, 'idle database client failed; the pool will reconnect'),
    }));
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  if (database.kind === 'pglite' && config.DEMO_SEED) {
    const municipalities = await database.db.selectFrom('municipality').select('id').limit(1).execute();
    if (municipalities.length === 0) {
      await seedDemo(database.db);
      logger.info('embedded database was empty: demo region loaded');
    }
  }

  const http = createHttpApp({
    logger,
    health: async () => {
      const migrations = await createMigrator(database.db).getMigrations();
      return {
        database: database.kind,
        migrations: { applied: migrations.filter((m) => m.executedAt).length, pending: migrations.filter((m) => !m.executedAt).length },
        channels: { telegram: Boolean(config.TELEGRAM_BOT_TOKEN), vk: Boolean(config.VK_GROUP_TOKEN) },
      };
    },
  });

  if (!config.TELEGRAM_BOT_TOKEN) logger.warn('Telegram is off: set TELEGRAM_BOT_TOKEN (and TELEGRAM_WEBHOOK_SECRET for webhook mode) to turn it on');
  if (!config.VK_GROUP_TOKEN) logger.warn('VK is off: set VK_GROUP_TOKEN, VK_GROUP_ID, VK_SECRET and VK_CONFIRMATION_CODE to turn it on');

  const outbox = createOutboxSenders({ config, db: database.db, logger, translate: createTranslator() });

  const stoppers: (() => Promise<void>)[] = [];
  return {
    http,
    database,
    clock,
    kickOutbox: () => outbox.kick(),
    async start() {
      if (outbox.senders.length > 0) {
        outbox.start();
        stoppers.push(() => outbox.stop());
      }
    },
    async stop() {
      for (const stop of stoppers.reverse()) await stop();
      if (!deps.database) await database.close();
    },
  };
}
