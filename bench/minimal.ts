import { serve } from '@hono/node-server';
import { Bot } from 'grammy';
import { Hono } from 'hono';
import pg from 'pg';

/**
 * The minimal pipeline the inbound benchmark compares the app with: the same stack (Hono on
 * @hono/node-server, grammY, pg) doing the least a webhook bot can do per update — check the secret,
 * one dedupe INSERT, one sendMessage, answer 200. Started as a child process by bench/inbound.ts;
 * prints its port as JSON once it listens.
 */
const url = process.env.DATABASE_URL;
const secret = process.env.TELEGRAM_WEBHOOK_SECRET ?? '';
if (!url) throw new Error('DATABASE_URL is required');
// Never closes idle connections: closing them (10 s after its own run, while the app is measured)
// would load the machine the app shares with it (core/db/connect.ts keeps the app's open too).
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10), idleTimeoutMillis: 0 });
await pool.query('CREATE TABLE IF NOT EXISTS bench_minimal_update (update_id bigint PRIMARY KEY)');
const bot = new Bot(process.env.TELEGRAM_BOT_TOKEN ?? '1:BENCH', {
  client: { apiRoot: process.env.TELEGRAM_API_ROOT },
  botInfo: {
    id: 1,
    is_bot: true,
    first_name: 'Minimal',
    username: 'minimal_bot',
    can_join_groups: false,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  },
});

interface Update {
  update_id: number;
  message?: { chat: { id: number } };
  callback_query?: { from: { id: number } };
}

const app = new Hono();
app.post('/webhooks/telegram', async (c) => {
  if (c.req.header('X-Telegram-Bot-Api-Secret-Token') !== secret) return c.json({ ok: false }, 403);
  const update = (await c.req.json()) as Update;
  const inserted = await pool.query('INSERT INTO bench_minimal_update (update_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING update_id', [update.update_id]);
  const chatId = update.message?.chat.id ?? update.callback_query?.from.id;
  if (inserted.rowCount === 1 && chatId !== undefined) await bot.api.sendMessage(chatId, 'Здравствуйте!');
  return c.json({ ok: true });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(JSON.stringify({ msg: 'minimal is listening', port: info.port })));
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
