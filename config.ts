import { z } from 'zod';
import { parseRatingWeights } from './core/kpi/rating-weights.ts';
import { ConfigError } from './startup-failure.ts';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));
const positive = (fallback: number) => z.coerce.number().positive().default(fallback);
const optionalText = z.string().trim().min(1).optional().catch(undefined);

/** `https://host[:port]` (http too, for a local setup), with no path: every route is absolute. */
function isBaseUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.host !== '' && url.pathname === '/' && !url.search && !url.hash && !url.username;
}

/** An http(s) URL (an API root, a tile template's scheme): `api.telegram.org` or `ftp://…` is refused at start. */
const httpUrl = (fallback: string) =>
  z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^/\s]/i.test(value) && URL.canParse(value), 'must be an http(s) URL')
    .default(fallback);

/**
 * pg's connection strings: `postgres://` or `postgresql://` URLs (a socket too: `postgres:///db?host=/run/postgresql`,
 * `socket:/run/postgresql?db=otklik`), or pg's own socket form `/run/postgresql otklik`.
 */
function isPostgresUrl(value: string): boolean {
  if (value.startsWith('/')) return true;
  return URL.canParse(value) && ['postgres:', 'postgresql:', 'socket:'].includes(new URL(value).protocol);
}

/** Every environment variable the app reads, validated once at start (README lists the same). */
export const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.string().trim().refine(isPostgresUrl, 'must be a PostgreSQL URL, e.g. postgres://otklik:password@localhost:5432/otklik').optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
    /** Prepare the bots' and the outbox's statements on the server (false behind a pooler in transaction mode). */
    DATABASE_PREPARED_STATEMENTS: bool(true),
    /** How long a request waits for a database connection before it fails (webhooks then answer 5xx). */
    DATABASE_POOL_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
    DATA_DIR: z.string().default('./data'),
    DEMO_SEED: bool(true),
    CRON_ENABLED: bool(true),
    /** How long a staff link code (issued through the admin API) stays valid. */
    STAFF_LINK_CODE_TTL_HOURS: z.coerce.number().positive().max(720).default(24),
    /** The public base URL: webhooks are registered under it, Open311 discovery and event cards link it, https makes the console's cookie Secure. */
    PUBLIC_URL: z.string().trim().refine(isBaseUrl, 'must be the public base URL, scheme and host only, e.g. https://otklik.example.org').optional(),
    /** Behind a reverse proxy: take the client's address from X-Forwarded-For (the console's sign-in limit). */
    TRUST_PROXY: bool(false),

    /** `<bot id>:<secret>` as @BotFather gives it: a token pasted with quotes or a space would fail every call later. */
    TELEGRAM_BOT_TOKEN: z
      .string()
      .trim()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must be the token @BotFather gave, <digits>:<letters, digits, _ and ->')
      .optional(),
    /** Telegram takes 1-256 characters A-Z a-z 0-9 _ - (setWebhook refuses others, and the header would never match). */
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, 'may hold only A-Z, a-z, 0-9, _ and - (1-256 characters)')
      .optional(),
    TELEGRAM_API_ROOT: httpUrl('https://api.telegram.org'),
    TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('webhook'),

    VK_GROUP_TOKEN: optionalText,
    VK_GROUP_ID: z.coerce.number().int().positive().optional(),
    VK_SECRET: optionalText,
    VK_CONFIRMATION_CODE: optionalText,
    VK_API_BASE_URL: httpUrl('https://api.vk.com/method'),
    VK_MODE: z.enum(['callback', 'longpoll']).default('callback'),
    /** VK service token (an app's): reads public walls of monitored communities (wall.get) for incident management. */
    VK_SERVICE_TOKEN: optionalText,
    /** How often monitored VK pages are polled, in minutes. */
    INCIDENT_POLL_MINUTES: z.coerce.number().int().min(1).max(59).default(10),

    /** The first operator's key on a database without one; refused here, before the database is touched, when it could be guessed (MIN_BOOTSTRAP_TOKEN_LENGTH). */
    ADMIN_BOOTSTRAP_TOKEN: z.string().trim().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 24`)').optional(),

    /** GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; unset (and no METRICS_PORT): /metrics is off. */
    METRICS_TOKEN: z.string().trim().min(16).optional(),
    /** Serve /metrics on this port instead of PORT (no token needed there unless METRICS_TOKEN is set). */
    METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** After SIGTERM: how long in-flight updates, sends and cron runs get before the process exits anyway. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
    /** How long an uploaded boundary's overlap check (on a worker thread) may take before the upload is refused. */
    BOUNDARY_CHECK_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),

    /** The map page's tile server ({z}/{x}/{y} template); without tiles it still shows boundaries and data. */
    MAP_TILE_URL: z
      .string()
      .trim()
      .refine((value) => /^https?:\/\/\S+$/i.test(value) && value.includes('{z}') && value.includes('{x}') && /\{-?y\}/.test(value), 'must be an http(s) tile URL template with {z}, {x} and {y}')
      .default('https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
    MAP_TILE_ATTRIBUTION: z.string().trim().min(1).default('© OpenStreetMap contributors'),
    /** Open311 discovery's contact line. */
    OPEN311_CONTACT: z.string().trim().min(1).default('The regional management centre (ЦУР) that runs this Otklik platform'),

    // Outbox senders. Limits are per bot token: one instance at a time sends for a token (elected
    // through a PostgreSQL advisory lock), whatever the number of instances.
    OUTBOX_ENABLED: bool(true),
    /** How often an instance that does not send for a token tries to take over (after the sender died). */
    OUTBOX_LEADER_RETRY_MS: z.coerce.number().int().min(100).default(2000),
    OUTBOX_TG_PER_SECOND: positive(30),
    OUTBOX_TG_PER_CHAT_PER_SECOND: positive(1),
    OUTBOX_TG_PER_GROUP_PER_MINUTE: positive(20),
    OUTBOX_VK_PER_SECOND: positive(20),
    OUTBOX_VK_PER_CHAT_PER_SECOND: positive(1),
    OUTBOX_VK_PER_GROUP_PER_MINUTE: positive(20),
    /** Share of each rate kept unused against clock jitter (0.05: pace at 95% of the limit). */
    OUTBOX_RATE_HEADROOM: z.coerce.number().min(0).max(0.5).default(0.05),
    OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
    OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
    /** A claimed row not settled in this time is taken back; keep it well above OUTBOX_SEND_TIMEOUT_MS. */
    OUTBOX_LEASE_MS: z.coerce.number().int().min(1000).default(60_000),
    OUTBOX_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    OUTBOX_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(2000),
    OUTBOX_BACKOFF_MAX_MS: z.coerce.number().int().min(1).default(600_000),

    /** Media (images, videos for announcements): on disk under MEDIA_DIR unless an S3 bucket is set. */
    MEDIA_DIR: optionalText,
    MEDIA_S3_BUCKET: optionalText,
    MEDIA_S3_REGION: z.string().default('us-east-1'),
    /** An S3-compatible server (MinIO …) as an http(s) URL; a value that is not one is refused, never read as "unset: AWS". */
    MEDIA_S3_ENDPOINT: z
      .string()
      .trim()
      .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL, e.g. http://minio:9000')
      .optional(),
    MEDIA_S3_ACCESS_KEY_ID: optionalText,
    MEDIA_S3_SECRET_ACCESS_KEY: optionalText,
    MEDIA_S3_FORCE_PATH_STYLE: bool(true),
    MEDIA_S3_PREFIX: z.string().default('media/'),
    /** Telegram bots may upload photos up to 10 MB and other files up to 50 MB. */
    MEDIA_MAX_IMAGE_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    MEDIA_MAX_VIDEO_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(50 * 1024 * 1024),

    /** Filed photos copied into the media store (bots/media/filing-photos.ts): how often the queue is looked at. */
    MEDIA_COPY_POLL_MS: z.coerce.number().int().min(10).default(2000),
    /** Attempts per photo before it is given up; the first retry waits MEDIA_COPY_RETRY_BASE_MS, each next four times longer (at most 6 h). */
    MEDIA_COPY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
    MEDIA_COPY_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
    /**
     * Stored media objects no row references are removed by the media-orphan-sweep job once older than
     * this; at least 2 h (a put of bytes already stored renews them when older than 1 h, so an upload
     * whose row is not committed yet is never removed).
     */
    MEDIA_ORPHAN_GRACE_HOURS: z.coerce.number().int().min(2).max(8760).default(24),

    /** Residents per broadcast batch: one short INSERT … SELECT transaction each. */
    BROADCAST_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(2000),
    /** How often queued broadcasts are looked for (new ones of this process start at once). */
    BROADCAST_POLL_MS: z.coerce.number().int().min(10).default(1000),
    /** Weights of the executors' and the municipalities' ratings (GET /ratings/executors, GET /ratings/municipalities): quantity, quality, speed, completeness. */
    KPI_RATING_WEIGHTS: z
      .string()
      .trim()
      .superRefine((text, ctx) => {
        try {
          parseRatingWeights(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^KPI_RATING_WEIGHTS: /, '') });
        }
      })
      .default('quantity=1,quality=1,speed=1,completeness=1'),
  })
  .superRefine((config, ctx) => {
    if (config.METRICS_PORT !== undefined && config.METRICS_PORT === config.PORT) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: `must differ from PORT (${config.PORT}): leave it unset to serve /metrics on PORT with METRICS_TOKEN` });
    }
    // A lease that ends while its row is still being sent lets another sender claim it: the resident gets the message twice.
    if (config.OUTBOX_LEASE_MS <= config.OUTBOX_SEND_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['OUTBOX_LEASE_MS'], message: `must be above OUTBOX_SEND_TIMEOUT_MS (${config.OUTBOX_SEND_TIMEOUT_MS}), or a row still being sent is claimed again` });
    }
    // One key alone would be dropped silently for the SDK's default credentials.
    if (Boolean(config.MEDIA_S3_ACCESS_KEY_ID) !== Boolean(config.MEDIA_S3_SECRET_ACCESS_KEY)) {
      const missing = config.MEDIA_S3_ACCESS_KEY_ID ? 'MEDIA_S3_SECRET_ACCESS_KEY' : 'MEDIA_S3_ACCESS_KEY_ID';
      ctx.addIssue({ code: 'custom', path: [missing], message: "must be set with the other S3 key (set both, or neither for the SDK's default credentials)" });
    }
    if (config.OUTBOX_BACKOFF_MAX_MS < config.OUTBOX_BACKOFF_BASE_MS) {
      ctx.addIssue({ code: 'custom', path: ['OUTBOX_BACKOFF_MAX_MS'], message: `must not be below OUTBOX_BACKOFF_BASE_MS (${config.OUTBOX_BACKOFF_BASE_MS})` });
    }
  });

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable is an unset one (`VK_GROUP_ID=` as copied from .env.example): its default applies.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
