import { parseRatingWeights } from './core/kpi/ratings.ts';
import { ConfigError } from './startup-failure.ts';
import path from 'node:path';
import { Hono } from 'hono';
import { createOutboxSenders, type OutboxSenders } from './bots/outbox/senders.ts';
import type { SenderSettings } from './bots/outbox/sender.ts';
import type { ClaimedRow } from './core/outbox/outbox.queue.ts';
import { startBroadcastExpander, type BroadcastExpander } from './core/broadcasts/expander.ts';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { connectDatabase, type DatabaseHandle } from './core/db/connect.ts';
import { checkDirectory } from './core/db/data-dir.ts';
import { createMigrator, migrateToLatest } from './core/db/migrate.ts';
import { seedDemo } from './core/seed/demo.ts';
import { bootstrapOperator } from './core/access/bootstrap.ts';
import { cachedPhotoFetcher } from './core/media/photo-cache.ts';
import { mediaFromConfig } from './media-store.ts';
import { mediaOrphanSweepJob } from './core/media/orphan-sweep.ts';
import type { PhotoFetchers } from './core/media/photo-fetcher.ts';
import { telegramPhotoFetcher } from './bots/media/telegram-photo-fetcher.ts';
import { provideContestMedia } from './bots/features/contests/media.ts';
import { createFilingPhotoCopier, type FilingPhotoCopier } from './bots/media/filing-photos.ts';
import { provideEventLinks } from './bots/features/events/index.ts';
import { provideMessengers } from './bots/features/linking/index.ts';
import { recordRunningMessengers } from './core/notifications/notify.ts';
import { createAdminApi, OPENAPI_PATH } from './http/api/api.ts';
import { startCron } from './cron/scheduler.ts';
import { createVkWallReader, incidentPollJob } from './bots/vk/wall-reader.ts';
import { createVkNameLookup, vkNameBackfillJob } from './bots/vk/users.ts';
import { createHttpApp, createLifecycle, type AppEnv, type Lifecycle } from './http/app.ts';
import { DEFAULT_TIME_ZONE, localDay } from './core/activity/activity.ts';
import { formatDate } from './bots/dialogs/format.ts';
import { createMetricsSource, mountMetrics } from './http/metrics.ts';
import type { SystemHealth } from './http/api/env.ts';
import { sql } from 'kysely';
import { createDocsApp } from './http/docs/swagger-ui.ts';
import { createOpen311App } from './http/open311/georeport.ts';
import { createCalendarApp } from './http/calendar/ics.ts';
import { createMapPage } from './http/map/map-page.ts';
import { createConsoleApp } from './http/console/console.ts';
import { mountTelegramWebhook } from './http/webhooks/telegram.ts';
import { mountVkWebhook } from './http/webhooks/vk.ts';
import { createVkChannel, type VkChannel } from './bots/vk/channel.ts';
import type { Channel } from './core/db/types.ts';
import { createTranslator } from './bots/i18n.ts';
import type { BotFeature } from './bots/dialogs/feature.ts';
import { createRegistry } from './bots/dialogs/registry.ts';
import { FEATURES } from './bots/features/registry.ts';
import { createTelegramChannel, type TelegramBotInfo, type TelegramChannel } from './bots/telegram/channel.ts';
import { fetchTelegramBotInfo } from './bots/telegram/bot-info.ts';
import type { Logger } from './logger.ts';
import { loadProductionCalendars } from './core/calendar/production-calendar.import.ts';
import { createOverlapChecker, type OverlapChecker } from './core/geo/overlap-check.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise one is opened from the config. */
  database?: DatabaseHandle;
  /** Known Telegram bot info (tests, replay): no getMe call at start. */
  telegramBotInfo?: TelegramBotInfo;
  /** Bot features beyond bots/features/registry.ts (tests). */
  extraFeatures?: readonly BotFeature[];
  /** Sender settings over the config's (tests: the reply lane alone, short flushes). */
  outboxSettings?: Partial<SenderSettings>;
  /** Readiness and the webhook gate (main.ts makes it before the app, so probes answer during migrations). */
  lifecycle?: Lifecycle;
  /** How VK's file servers are reached to copy residents' photos (tests, replay: a stand-in; default fetch). */
  vkFiles?: typeof fetch;
}

export interface App {
  http: Hono<AppEnv>;
  database: DatabaseHandle;
  clock: Clock;
  /** Sends outbox rows committed by this process now instead of at the next poll. */
  kickOutbox(): void;
  outbox: OutboxSenders;
  lifecycle: Lifecycle;
  /** GET /metrics alone, when METRICS_PORT is set (main.ts listens on that port with it). */
  metricsHttp?: Hono;
  /** Copies filed photos into the media store; started with the app (tests run a pass on demand). */
  photoCopier: FilingPhotoCopier;
  /** Municipality boundary uploads' overlap checks (main.ts ends them once the webhooks have drained). */
  overlapChecker: OverlapChecker;
  /** Starts background work (senders, cron, polling); the HTTP server is started by the caller. */
  start(): Promise<void>;
  /**
   * Stops the background work (senders finish their calls and release their rows, cron, polling,
   * boundary checks) and leaves the database open: main.ts keeps answering 503 meanwhile and closes
   * its listener before `stop()` closes the pool.
   */
  stopWork(): Promise<void>;
  /** stopWork(), then the database (unless the caller opened it). */
  stop(): Promise<void>;
}

/**
 * Wires config → db → core → bots → http → cron. Everything the process runs is created here
 * and nowhere else; main.ts only adds the listening socket and signals.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, logger } = deps;
  if (config.TELEGRAM_BOT_TOKEN && config.TELEGRAM_MODE === 'webhook' && !config.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError('TELEGRAM_WEBHOOK_SECRET is required in webhook mode: set it (1-256 characters A-Z a-z 0-9 _ -), or set TELEGRAM_MODE=polling for local development');
  }
  assertVkConfig(config);
  // Directories the app writes in (media on disk, the Telegram photo cache; the embedded database
  // checks DATA_DIR itself): one line now rather than a stack at the first photo.
  if (!config.MEDIA_S3_BUCKET && config.MEDIA_DIR) checkDirectory(config.MEDIA_DIR, 'MEDIA_DIR');
  if ((!config.MEDIA_S3_BUCKET && !config.MEDIA_DIR) || config.TELEGRAM_BOT_TOKEN) checkDirectory(config.DATA_DIR, 'DATA_DIR');
  // Before the database: a bucket or a bot token that is refused, or a Bot API that cannot be
  // reached, stops the start at once (one line naming the variable).
  const media = await mediaFromConfig(config, logger);
  const telegramBotInfo =
    deps.telegramBotInfo ?? (config.TELEGRAM_BOT_TOKEN ? await fetchTelegramBotInfo({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT }) : undefined);
  const clock = deps.clock ?? systemClock;
  const database =
    deps.database ??
    (await connectDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolSize: config.DATABASE_POOL_SIZE,
      poolWaitMs: config.DATABASE_POOL_WAIT_MS,
      preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
      onPoolError: (err) => logger.error({ err }, 'idle database client failed; the pool will reconnect'),
      onStaleLock: (message) => logger.warn(message),
    }));
  const lifecycle = deps.lifecycle ?? createLifecycle();
  const overlapChecker = createOverlapChecker({ timeoutMs: config.BOUNDARY_CHECK_TIMEOUT_MS });
  const applied = await migrateToLatest(database.db);
  lifecycle.migrated = true;
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  // Production calendars imported for later years (2025–2027 ship with the code).
  const imported = await loadProductionCalendars(database.db);
  if (imported.length > 0) logger.info({ years: imported.map((y) => y.year) }, 'production calendars loaded');
  if (database.kind === 'pglite' && config.DEMO_SEED) {
    const municipalities = await database.db.selectFrom('municipality').select('id').limit(1).execute();
    if (municipalities.length === 0) {
      await seedDemo(database.db);
      logger.info('embedded database was empty: demo region loaded');
    }
  }

  const http = createHttpApp({ logger, lifecycle, databaseUp: () => databaseAnswers(database, 2000) });
  const metrics = createMetricsSource({ db: database.db, pool: database.pool, poolMax: config.DATABASE_POOL_SIZE, databaseUp: () => databaseAnswers(database, 2000) });
  let metricsHttp: Hono | undefined;
  if (config.METRICS_PORT) {
    metricsHttp = new Hono();
    mountMetrics(metricsHttp, metrics, config.METRICS_TOKEN);
  } else if (config.METRICS_TOKEN) {
    mountMetrics(http, metrics, config.METRICS_TOKEN);
  }
  const systemHealth = async (): Promise<SystemHealth> => {
    const migrations = await createMigrator(database.db).getMigrations();
    const databaseUp = await databaseAnswers(database, 2000);
    return {
      ready: lifecycle.migrated && !lifecycle.stopping && databaseUp,
      stopping: lifecycle.stopping,
      database: { kind: database.kind, up: databaseUp, ...(database.pool && { pool: { total: database.pool.totalCount, idle: database.pool.idleCount, waiting: database.pool.waitingCount, max: config.DATABASE_POOL_SIZE } }) },
      migrations: { applied: migrations.filter((m) => m.executedAt).length, pending: migrations.filter((m) => !m.executedAt).length },
      channels: { telegram: Boolean(config.TELEGRAM_BOT_TOKEN), vk: Boolean(config.VK_GROUP_TOKEN) },
      outboxSending: outbox.senders.length > 0,
      cron: config.CRON_ENABLED,
      uptimeSeconds: Math.round(process.uptime()),
      webhooksInFlight: lifecycle.inFlight,
    };
  };

  // Outbox rows and broadcasts committed by a write request of the admin API leave now, not at the
  // next poll. Webhook updates kick the outbox alone, once their replies are committed (`replied`
  // below): a dialog starts no broadcast, and a broadcast query per update would cost a round trip.
  let kickOutbox = () => {};
  let kickReplies = (_claimed?: ClaimedRow, _heldMs?: number) => {};
  let replyClaimer = (_channel: Channel): string | undefined => undefined;
  // Only a write may have queued something: a browser's CORS preflight (OPTIONS) or a HEAD costs no query.
  const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
  http.use('*', async (c, next) => {
    await next();
    if (WRITES.has(c.req.method) && !c.req.path.startsWith('/webhooks/')) kickOutbox();
  });

  if (config.ADMIN_BOOTSTRAP_TOKEN) {
    const operatorId = await bootstrapOperator(database.db, config.ADMIN_BOOTSTRAP_TOKEN, clock());
    if (operatorId !== null) logger.info({ staffId: operatorId }, 'no operator existed: created one with ADMIN_BOOTSTRAP_TOKEN as its key');
  } else if (!(await database.db.selectFrom('staff').select('id').where('role', '=', 'operator').executeTakeFirst())) {
    logger.warn('the admin API has no operator yet: set ADMIN_BOOTSTRAP_TOKEN (32+ characters) and restart to create the first operator key');
  }
  const photos: PhotoFetchers = {};
  const telegramFiles = config.TELEGRAM_BOT_TOKEN ? telegramPhotoFetcher({ apiRoot: config.TELEGRAM_API_ROOT, token: config.TELEGRAM_BOT_TOKEN }) : undefined;
  if (telegramFiles) photos.tg = cachedPhotoFetcher(telegramFiles, { dir: path.join(config.DATA_DIR, 'photo-cache', 'tg'), namespace: 'tg' });
  // Contest entries from residents are copied into the media store (Telegram getFile, VK URLs).
  provideEventLinks(config.PUBLIC_URL);
  const messengersRunning = { tg: Boolean(config.TELEGRAM_BOT_TOKEN), vk: Boolean(config.VK_GROUP_TOKEN) };
  provideMessengers(messengersRunning);
  // Notices (core/notifications) go to a messenger of the resident's that runs, whatever they chose.
  await recordRunningMessengers(database.db, messengersRunning, clock());
  provideContestMedia({ store: media.store, limits: media.limits, ...(telegramFiles && { telegram: telegramFiles }) });
  // So are the photos of filed messages, after the filing commits (officials in the other messenger see them).
  const photoCopier = createFilingPhotoCopier({
    db: database.db,
    store: media.store,
    limits: media.limits,
    ...(telegramFiles && { telegram: telegramFiles }),
    ...(deps.vkFiles && { vkFetch: deps.vkFiles }),
    clock,
    logger: logger.child({ module: 'photo-copies' }),
    pollMs: config.MEDIA_COPY_POLL_MS,
    maxAttempts: config.MEDIA_COPY_MAX_ATTEMPTS,
    retryBaseMs: config.MEDIA_COPY_RETRY_BASE_MS,
    // Photos for cards that went out without them leave now, not at the outbox's next poll.
    onQueued: () => kickOutbox(),
  });
  const t = createTranslator();
  const features = createRegistry([...FEATURES, ...(deps.extraFeatures ?? [])]);
  let telegram: TelegramChannel | undefined;
  if (config.TELEGRAM_BOT_TOKEN && telegramBotInfo) {
    telegram = await createTelegramChannel({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      botInfo: telegramBotInfo,
      db: database.prepared,
      logger,
      clock,
      t,
      features,
      replied: (claimed, heldMs) => kickReplies(claimed, heldMs),
      claimReply: () => replyClaimer('tg'),
    });
    const channel = telegram;
    const secret = config.TELEGRAM_WEBHOOK_SECRET;
    if (config.TELEGRAM_MODE === 'webhook' && secret) mountTelegramWebhook(http, { secret, handle: (update) => channel.handleUpdate(update, { answerInResponse: true }) });
  }
  const staffLinks = { ttlHours: config.STAFF_LINK_CODE_TTL_HOURS, telegramBotUsername: telegram?.username, vkGroupId: config.VK_GROUP_TOKEN ? config.VK_GROUP_ID : undefined };
  // The pages' canonical paths have no trailing slash: /console/, /api/docs/ and /map/ (typed by hand,
  // or a proxy's location block) are sent there, query kept, instead of a bare 404.
  for (const page of ['/console', '/api/docs', '/map']) {
    http.on(['GET', 'HEAD'], `${page}/`, (c) => c.redirect(`${page}${new URL(c.req.url).search}`, 308));
  }
  http.route('/api/v1', createAdminApi({ db: database.db, clock, logger: logger.child({ module: 'api' }), photos, staffLinks, media, systemHealth, overlapChecker, kpi: { ratingWeights: parseRatingWeights(config.KPI_RATING_WEIGHTS) } }));
  http.route('/api/docs', createDocsApp({ basePath: '/api/docs', specUrl: `/api/v1${OPENAPI_PATH}` }));
  http.route('/console', createConsoleApp({ db: database.db, clock, secureCookies: config.PUBLIC_URL?.startsWith('https://') ?? false, trustProxy: config.TRUST_PROXY, tiles: { tileUrl: config.MAP_TILE_URL, tileAttribution: config.MAP_TILE_ATTRIBUTION } }));
  http.route('/map', createMapPage({ tileUrl: config.MAP_TILE_URL, tileAttribution: config.MAP_TILE_ATTRIBUTION }));
  http.route('/calendar', createCalendarApp({ db: database.db }));
  http.route('/open311/v2', createOpen311App({ db: database.db, clock, logger: logger.child({ module: 'open311' }), publicUrl: config.PUBLIC_URL, contact: config.OPEN311_CONTACT }));

  let vk: VkChannel | undefined;
  if (config.VK_GROUP_TOKEN && config.VK_GROUP_ID) {
    vk = createVkChannel({ token: config.VK_GROUP_TOKEN, groupId: config.VK_GROUP_ID, apiBaseUrl: config.VK_API_BASE_URL, db: database.prepared, logger, clock, t, features, replied: (claimed, heldMs) => kickReplies(claimed, heldMs), claimReply: () => replyClaimer('vk') });
    const channel = vk;
    if (config.VK_MODE === 'callback' && config.VK_SECRET && config.VK_CONFIRMATION_CODE) {
      mountVkWebhook(http, { groupId: config.VK_GROUP_ID, secret: config.VK_SECRET, confirmationCode: config.VK_CONFIRMATION_CODE, logger, handle: (event) => channel.handleEvent(event) });
    }
  }

  if (!config.TELEGRAM_BOT_TOKEN) logger.warn('Telegram is off: set TELEGRAM_BOT_TOKEN (and TELEGRAM_WEBHOOK_SECRET for webhook mode) to turn it on');
  if (!config.VK_GROUP_TOKEN) logger.warn('VK is off: set VK_GROUP_TOKEN, VK_GROUP_ID, VK_SECRET and VK_CONFIRMATION_CODE to turn it on');

  // Broadcasts become outbox rows in short batches on whichever instance gets there first.
  let expander: BroadcastExpander | undefined;
  const kickBroadcasts = () => expander?.kick();
  const outbox = createOutboxSenders({ config, db: database.prepared, databaseUrl: database.url, logger, translate: t, settings: deps.outboxSettings, media: media.store });
  kickOutbox = () => {
    outbox.kick();
    kickBroadcasts();
  };
  // A reply claimed as it was inserted goes straight to this instance's sender (no claim statement).
  // A reply held back (a split text's first piece, an album's line) is due only after its hold: the
  // sender is kicked again then, or it would wait for its next poll (OUTBOX_POLL_MS, 1 s) on top.
  kickReplies = (claimed, heldMs) => {
    if (claimed) outbox.adopt(claimed);
    else outbox.kick();
    if (heldMs !== undefined) setTimeout(() => outbox.kick(), heldMs + HELD_KICK_MARGIN_MS).unref();
  };
  replyClaimer = (channel) => outbox.replyClaimer(channel);

  const stoppers: (() => Promise<void>)[] = [];
  const stopWork = async () => {
    // Taken out as they run: stop() after stopWork() stops nothing twice.
    for (let stop = stoppers.pop(); stop; stop = stoppers.pop()) await stop();
    // Boundary checks still running end with their requests (their transactions roll back).
    await overlapChecker.stop();
  };
  return {
    http,
    database,
    clock,
    kickOutbox: () => outbox.kick(),
    outbox,
    lifecycle,
    metricsHttp,
    photoCopier,
    overlapChecker,
    async start() {
      await warmUp(http, database, clock(), logger);
      if (outbox.senders.length > 0) {
        outbox.start();
        stoppers.push(() => outbox.stop());
      }
      expander = startBroadcastExpander({
        db: database.db,
        batchSize: config.BROADCAST_BATCH_SIZE,
        pollMs: config.BROADCAST_POLL_MS,
        onRows: () => outbox.kick(),
        onError: (err) => logger.error({ err }, 'broadcast expansion failed; retrying at the next poll'),
      });
      const running = expander;
      stoppers.push(() => running.stop());
      photoCopier.start();
      stoppers.push(() => photoCopier.stop());
      // Monitored VK pages (incident management) are polled only with a service token.
      const incidentPoll = config.VK_SERVICE_TOKEN
        ? [
            {
              job: incidentPollJob(createVkWallReader({ token: config.VK_SERVICE_TOKEN, apiBaseUrl: config.VK_API_BASE_URL })),
              expression: `*/${config.INCIDENT_POLL_MINUTES} * * * *`,
              timeZone: 'Asia/Novokuznetsk',
            },
          ]
        : [];
      // VK residents registered before names were looked up at the consent get them, in batches (also once at start: the catch-up run).
      const vkNames = config.VK_GROUP_TOKEN
        ? [{ job: vkNameBackfillJob(createVkNameLookup({ token: config.VK_GROUP_TOKEN, apiBaseUrl: config.VK_API_BASE_URL })), expression: '40 * * * *', timeZone: 'Asia/Novokuznetsk' }]
        : [];
      // Stored bytes no media row references (a bot's turn or an upload whose transaction failed), removed once past their grace period.
      const orphanSweep = [{ job: mediaOrphanSweepJob(media.store, config.MEDIA_ORPHAN_GRACE_HOURS * 3_600_000), expression: '37 4 * * *', timeZone: 'Asia/Novokuznetsk' }];
      const cron = await startCron({ db: database.db, clock, logger: logger.child({ module: 'cron' }), enabled: config.CRON_ENABLED, extra: [...incidentPoll, ...vkNames, ...orphanSweep] });
      stoppers.push(() => cron.stop());
      if (vk) stoppers.push(() => vk.stop());
      if (vk && config.VK_MODE === 'longpoll') await vk.startPolling();
      if (telegram) await telegram.publishCommands();
      if (telegram && config.TELEGRAM_MODE === 'polling') {
        telegram.startPolling();
        const channel = telegram;
        stoppers.push(() => channel.stop());
      }
    },
    stopWork,
    async stop() {
      await stopWork();
      if (!deps.database) await database.close();
    },
  };
}

/**
 * What the first requests would otherwise pay, once per process: Hono builds its router on its
 * first match, and ICU loads time-zone and locale data with the first date formatter (an update's
 * activity day, dates in replies): ~25 ms on the first webhook. And the pool's connections, opened
 * now instead of in the first burst (each costs PostgreSQL ~20 ms of CPU; the pool keeps them).
 */
async function warmUp(http: Hono<AppEnv>, database: DatabaseHandle, now: Date, logger: Logger): Promise<void> {
  http.router.match('GET', '/health');
  localDay(now, DEFAULT_TIME_ZONE);
  formatDate(now, 'ru', DEFAULT_TIME_ZONE);
  const { pool } = database;
  if (!pool) return;
  const size = pool.options.max ?? 10;
  const opened = await Promise.allSettled(Array.from({ length: size }, () => pool.connect()));
  for (const result of opened) if (result.status === 'fulfilled') result.value.release();
  const failed = opened.find((result) => result.status === 'rejected');
  if (failed) logger.warn({ err: failed.reason }, 'could not open every database connection at start; they open as needed');
}

/** A held reply's kick comes this much after its hold, so the row is due when the sender claims (the database's clock started the hold first). */
const HELD_KICK_MARGIN_MS = 5;

/** VK needs its group id, and in callback mode the secret and the confirmation code: refuse to start without them. */
function assertVkConfig(config: Config): void {
  if (!config.VK_GROUP_TOKEN) return;
  if (!config.VK_GROUP_ID) throw new ConfigError('VK_GROUP_ID is required with VK_GROUP_TOKEN: the numeric id of the community');
  if (config.VK_MODE === 'callback' && (!config.VK_SECRET || !config.VK_CONFIRMATION_CODE)) {
    throw new ConfigError('VK_SECRET and VK_CONFIRMATION_CODE are required in callback mode: copy them from the community\'s Callback API settings (npm run vk:callback), or set VK_MODE=longpoll for local development');
  }
}

/** Whether the database answers a trivial query within `timeoutMs` (a full pool must not hang a probe). */
async function databaseAnswers(database: DatabaseHandle, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      sql`SELECT 1`.execute(database.db).then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
