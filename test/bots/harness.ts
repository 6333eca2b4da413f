import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { buildApp, type App } from '../../app.ts';
import type { BotFeature } from '../../bots/dialogs/feature.ts';
import type { TelegramBotInfo } from '../../bots/telegram/channel.ts';
import { SECRET_HEADER, TELEGRAM_WEBHOOK_PATH } from '../../http/webhooks/telegram.ts';
import { loadConfig } from '../../config.ts';
import type { Clock } from '../../core/clock.ts';
import type { DatabaseHandle } from '../../core/db/connect.ts';
import { createLogger, type Logger } from '../../logger.ts';
import { FakeTelegramApi } from '../fakes/telegram-api.ts';
import { FakeVkApi } from '../fakes/vk-api.ts';
import { VK_WEBHOOK_PATH } from '../../http/webhooks/vk.ts';
import { createTestDatabase, type TestDatabase } from '../database.ts';
import { sql } from 'kysely';
import { PRIORITY } from '../../core/outbox/outbox.repository.ts';
import { helpView } from '../../bots/features/basics/index.ts';
import { createRegistry } from '../../bots/dialogs/registry.ts';
import { FEATURES } from '../../bots/features/registry.ts';
import type { Translate } from '../../bots/i18n.ts';
import { renderText } from '../../bots/render-text.ts';
import type { Language } from '../../core/db/types.ts';

/** The /help text of the registered features, as the bot sends it. */
export const helpText = (t: Translate, language: Language) => renderText(t, language, helpView(createRegistry(FEATURES)));

export const TEST_BOT_TOKEN = '7000000001:TEST-token';
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret_1';
export const TEST_VK_TOKEN = 'vk1.a.TEST-group-token';
export const TEST_VK_GROUP_ID = 229000001;
export const TEST_VK_SECRET = 'vk-callback-secret-1';
export const TEST_VK_CONFIRMATION = 'a1b2c3d4';
export const TEST_BOT_INFO: TelegramBotInfo = {
  id: 7000000001,
  is_bot: true,
  first_name: 'Otklik',
  username: 'otklik_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export interface HarnessOptions {
  clock?: Clock;
  logger?: Logger;
  /** Bot features added to the registered ones (a deep link that fails on purpose). */
  extraFeatures?: readonly BotFeature[];
  /** How the VK bot gets its events: the Callback API route (default) or Bots Long Poll against the fake. */
  vkMode?: 'callback' | 'longpoll';
  /** Which outbox rows the app's sender sends by itself: the reply lane (default) or every lane. */
  outbox?: 'replies' | 'all';
  /** Settings over the harness's own (limits of a test). */
  env?: Record<string, string>;
  /**
   * DATA_DIR of the app (media store, photo cache). Default: a new temporary directory removed by
   * close(), so a test or `npm run replay` never writes into the repository's ./data (the
   * developer's embedded database folder).
   */
  dataDir?: string;
}

/**
 * The whole app as the messengers see it: the real composition root (buildApp) listening on a free
 * port, with grammY pointed at an in-process FakeTelegramApi and vk-io at a FakeVkApi. Updates go
 * in over HTTP exactly as Telegram and VK post them; the API calls the bots made are in
 * `fake.calls` (Telegram) and `vkFake.calls` (VK).
 */
export class BotHarness {
  readonly fake: FakeTelegramApi;
  readonly vkFake: FakeVkApi;
  readonly database: DatabaseHandle;
  /** The app's DATA_DIR (see HarnessOptions.dataDir). */
  readonly dataDir: string;
  /** Whether dataDir is the harness's own temporary directory (removed by close()). */
  private readonly ownsDataDir: boolean;
  app!: App;
  url = '';
  private server: ServerType | undefined;
  private readonly clock: Clock | undefined;
  private readonly logger: Logger;
  private readonly extraFeatures: readonly BotFeature[] | undefined;
  private readonly vkMode: 'callback' | 'longpoll';
  private readonly options: HarnessOptions;

  private constructor(database: DatabaseHandle, fake: FakeTelegramApi, vkFake: FakeVkApi, options: HarnessOptions) {
    this.database = database;
    this.fake = fake;
    this.vkFake = vkFake;
    this.clock = options.clock;
    this.logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
    this.extraFeatures = options.extraFeatures;
    this.vkMode = options.vkMode ?? 'callback';
    this.options = options;
    const given = options.env?.DATA_DIR ?? options.dataDir;
    this.dataDir = given ?? mkdtempSync(path.join(tmpdir(), 'otklik-bots-'));
    this.ownsDataDir = given === undefined;
  }

  static async start(options: HarnessOptions & { database: DatabaseHandle }): Promise<BotHarness> {
    const fake = await new FakeTelegramApi().start();
    const vkFake = await new FakeVkApi().start();
    const harness = new BotHarness(options.database, fake, vkFake, options);
    await harness.boot();
    return harness;
  }

  private async boot(): Promise<void> {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      TELEGRAM_API_ROOT: this.fake.url,
      TELEGRAM_MODE: 'webhook',
      VK_GROUP_TOKEN: TEST_VK_TOKEN,
      VK_GROUP_ID: String(TEST_VK_GROUP_ID),
      VK_SECRET: TEST_VK_SECRET,
      VK_CONFIRMATION_CODE: TEST_VK_CONFIRMATION,
      VK_API_BASE_URL: this.vkFake.apiBaseUrl,
      VK_MODE: this.vkMode,
      DEMO_SEED: 'false',
      LOG_LEVEL: 'silent',
      // Replies are rows of the outbox's reply lane: the sender runs for that lane alone (post()
      // waits until they are out). Conversations deliver the other rows and run jobs at chosen
      // points (deliverOutbox, $staff…), so the rest of the sender and cron stay off here; both
      // have their own tests. No per-chat gap: a test taps faster than a person.
      OUTBOX_ENABLED: 'true',
      OUTBOX_TG_PER_CHAT_PER_SECOND: '1000',
      OUTBOX_VK_PER_CHAT_PER_SECOND: '1000',
      OUTBOX_POLL_MS: '50',
      OUTBOX_LEADER_RETRY_MS: '100',
      CRON_ENABLED: 'false',
      DATA_DIR: this.dataDir,
      ...this.options.env,
    });
    this.app = await buildApp({
      config,
      logger: this.logger,
      database: this.database,
      clock: this.clock,
      telegramBotInfo: TEST_BOT_INFO,
      extraFeatures: this.extraFeatures,
      vkFiles: this.vkFake.fileFetch,
      outboxSettings: {
        ...(this.options.outbox !== 'all' && { onlyBelowPriority: PRIORITY.reply + 1 }),
        flushMs: 1,
        backoffBaseMs: 20,
        backoffMaxMs: 100,
        channelDownPauseMs: 200,
      },
    });
    await this.app.start();
    const server = serve({ fetch: this.app.http.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** A call to the app's admin API (/api/v1) with an API key: the status and the parsed JSON body (null when empty). */
  async api(method: string, path: string, token: string, body?: unknown) {
    const res = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const raw = await res.text();
    return { status: res.status, body: raw ? JSON.parse(raw) : null };
  }

  /** The app's clock (directives that act for officials use it, so codes and deadlines match the bot's time). */
  now(): Date {
    return this.clock ? this.clock() : new Date();
  }

  /**
   * POSTs an update to the webhook and waits until its replies (outbox reply lane) are out;
   * `secret: null` sends no secret header at all.
   */
  async post(update: unknown, secret: string | null = TEST_WEBHOOK_SECRET, options: { awaitReplies?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null) headers[SECRET_HEADER] = secret;
    const response = await fetch(`${this.url}${TELEGRAM_WEBHOOK_PATH}`, { method: 'POST', headers, body: JSON.stringify(update) });
    await this.callFromResponse(response.clone());
    if (options.awaitReplies !== false) await this.repliesSent();
    return response;
  }

  /** What Telegram does with a webhook answer that names a method: it makes that call (here: on the fake Bot API). */
  private async callFromResponse(response: Response): Promise<void> {
    if (response.status !== 200) return;
    const { method, ...params } = (await response.json().catch(() => ({}))) as { method?: unknown };
    if (typeof method !== 'string') return;
    await fetch(`${this.fake.url}/bot${TEST_BOT_TOKEN}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  }

  /** POSTs a Callback API body to /webhooks/vk (a string is sent as it is, to test non-JSON bodies) and waits for its replies. */
  async postVk(body: unknown, options: { awaitReplies?: boolean } = {}): Promise<Response> {
    const response = await fetch(`${this.url}${VK_WEBHOOK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    if (options.awaitReplies !== false) await this.repliesSent();
    return response;
  }

  /**
   * Waits until no reply is due and unsent (a reply rescheduled for later, e.g. after a 429, is not
   * waited for); a reply held back for a split text's next piece (bots/outbox/reply.ts) is, as it
   * goes out within seconds.
   */
  async repliesSent(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waiting = await this.database.db
        .selectFrom('outbox')
        .select('id')
        .where('priority', '=', PRIORITY.reply)
        .where((eb) =>
          eb.or([eb('state', '=', 'sending'), eb.and([eb('state', '=', 'pending'), eb.or([eb('next_attempt_at', '<=', sql<Date>`now()`), sql<boolean>`payload @> '{"held": true}'::jsonb`])])]),
        )
        .limit(1)
        .execute()
        // A test that takes the database away cannot wait on it (nothing new was queued meanwhile).
        .catch(() => []);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) throw new Error(`replies still unsent after ${timeoutMs} ms (outbox row ${waiting[0]!.id})`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * Stops the HTTP server and the app (as a process exit would) and builds a new one on the same
   * database; `whileDown` runs in between (events reaching VK while the bot is down).
   */
  async restart(whileDown?: () => void | Promise<void>): Promise<void> {
    await this.shutdownApp();
    await whileDown?.();
    await this.boot();
  }

  private async shutdownApp(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.app.stop();
  }

  /** Stops the app and the fakes and removes the harness's own data directory; the database belongs to the caller. */
  async close(): Promise<void> {
    try {
      await this.shutdownApp();
      await this.fake.stop();
      await this.vkFake.stop();
    } finally {
      if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

/**
 * A test file's bot harness on a fresh database of its own: opened before the file's tests and
 * closed after them. `ready` hands both to the file, which keeps them in its own variables.
 */
export function botHarnessPerFile(ready: (db: TestDatabase, harness: BotHarness) => void, options: HarnessOptions = {}): void {
  let db: TestDatabase | undefined;
  let harness: BotHarness | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    harness = await BotHarness.start({ ...options, database: db });
    ready(db, harness);
  });
  afterAll(async () => {
    await harness?.close();
    await db?.close();
  });
}
