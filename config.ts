import { z } from 'zod';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));
const optionalText = z.string().trim().min(1).optional().catch(undefined);

/** Every environment variable the app reads, validated once at start (README lists the same). */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: optionalText,
  DATA_DIR: z.string().default('./data'),
  DEMO_SEED: bool(true),
  CRON_ENABLED: bool(true),
  /** How long a staff link code (issued through the admin API) stays valid. */
  STAFF_LINK_CODE_TTL_HOURS: z.coerce.number().positive().max(720).default(24),
  PUBLIC_URL: optionalText,

  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_WEBHOOK_SECRET: optionalText,
  TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
  TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('webhook'),

  VK_GROUP_TOKEN: optionalText,
  VK_GROUP_ID: z.coerce.number().int().positive().optional(),
  VK_SECRET: optionalText,
  VK_CONFIRMATION_CODE: optionalText,
  VK_API_BASE_URL: z.string().url().default('https://api.vk.com/method'),
  VK_MODE: z.enum(['callback', 'longpoll']).default('callback'),

  ADMIN_BOOTSTRAP_TOKEN: optionalText,
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
