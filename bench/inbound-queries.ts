import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { giveConsent } from '../core/residents/consent.service.ts';
import { touchResident, updateResident } from '../core/residents/resident.repository.ts';
import { createLogger } from '../logger.ts';
import { SECRET_HEADER, TELEGRAM_WEBHOOK_PATH } from '../http/webhooks/telegram.ts';
import { createTestDatabase } from '../test/database.ts';
import { startFakeApi } from './fake-telegram.ts';
import { processCpuMs } from './proc.ts';

/**
 * Where an inbound update's time goes: the app in process (no HTTP in front of it) against a
 * scratch database on the DATABASE_URL server and the fake Bot API. First the round trips of one
 * /start of a new resident and one main-menu tap of a registered one: every message sent to
 * PostgreSQL on the update's connection (BEGIN and COMMIT included, however they travel), then what
 * the outbox sends for the reply (claim, settle; other background statements show there too).
 * Then CPU per update over BENCH_N of each (default 400, 16 at a time): this process (the app,
 * with the fake Bot API's thread) and the database's server processes. BENCH_QUERIES_SQL=1 prints
 * the statements; BENCH_WINDOWS=1 prints the measured windows' hrtime (µs) to cut a --cpu-prof profile.
 */
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to a PostgreSQL server');
process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
const database = await createTestDatabase({ seed: true });
const api = await startFakeApi({ perSecond: 1_000_000, perChatPerSecond: 1_000_000, perGroupPerMinute: 1_000_000 });
const SECRET = 'bench-queries-secret';
const config = loadConfig({
  ...process.env,
  DATABASE_URL: database.url,
  TELEGRAM_BOT_TOKEN: '7000000001:BENCH-token',
  TELEGRAM_WEBHOOK_SECRET: SECRET,
  TELEGRAM_API_ROOT: api.url,
  TELEGRAM_MODE: 'webhook',
  CRON_ENABLED: 'false',
  DEMO_SEED: 'false',
  LOG_LEVEL: 'warn',
  OUTBOX_TG_PER_SECOND: '1000000',
  OUTBOX_TG_PER_CHAT_PER_SECOND: '1000000',
});
const botInfo = { id: 7000000001, is_bot: true, first_name: 'Bench', username: 'bench_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false } as never;
const app = await buildApp({ config, logger: createLogger('warn'), telegramBotInfo: botInfo });
await app.start();
await new Promise((r) => setTimeout(r, 500));

let log: { client: pg.Client; text: string }[] | undefined;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  // A statement carrying a deferred BEGIN / SAVEPOINT, the statements sent with it or its COMMIT (core/db/pipelined-query.ts) is one round trip: shown as "BEGIN + statement + next + COMMIT".
  const first = args[0] as string | { text: string; prefix?: string[]; followers?: { text: string }[]; suffix?: string[] };
  if (log)
    log.push({ client: this, text: typeof first === 'string' ? first : [...(first.prefix ?? []), first.text, ...(first.followers ?? []).map((f) => f.text), ...(first.suffix ?? [])].join(' + ') });
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof original;

async function post(update: object): Promise<void> {
  const response = await app.http.fetch(
    new Request(`http://local${TELEGRAM_WEBHOOK_PATH}`, { method: 'POST', headers: { [SECRET_HEADER]: SECRET, 'content-type': 'application/json' }, body: JSON.stringify(update) }),
  );
  if (response.status !== 200) throw new Error(`answered ${response.status}`);
}

async function measure(name: string, update: object): Promise<void> {
  const sent = (await api.count()).accepted;
  log = [];
  await post(update);
  // The update's own connection: the one whose transaction opened in the request.
  const own = log.find((q) => /^\s*begin/i.test(q.text))?.client;
  const inRequest = log.filter((q) => q.client === own).map((q) => q.text);
  log = [];
  const deadline = Date.now() + 10_000;
  while ((await api.count()).accepted === sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 200)); // the sent row's settling flush
  const after = log.map((q) => q.text);
  log = undefined;
  console.log(`${name}: ${inRequest.length} round trips in the update's transaction, ${after.length} statements after it (outbox claim, settle; background polls)`);
  if (process.env.BENCH_QUERIES_SQL) {
    for (const q of inRequest) console.log(`  > ${q.replace(/\s+/g, ' ').slice(0, 300)}`);
    for (const q of after) console.log(`  < ${q.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
}

let updateId = 1;
const user = (id: number) => ({ id, is_bot: false, first_name: 'Житель', language_code: 'ru' });
const start = (id: number) => ({
  update_id: updateId++,
  message: {
    message_id: 1,
    date: Math.floor(Date.now() / 1000),
    from: user(id),
    chat: { id, type: 'private', first_name: 'Житель' },
    text: '/start',
    entities: [{ type: 'bot_command', offset: 0, length: 6 }],
  },
});
const tap = (id: number) => ({
  update_id: updateId++,
  callback_query: {
    id: String(updateId * 7),
    from: user(id),
    chat_instance: String(id),
    data: '!m:my',
    message: { message_id: 5, date: Math.floor(Date.now() / 1000), chat: { id, type: 'private', first_name: 'Житель' }, text: 'Главное меню' },
  },
});

// Warm-up (caches, prepared paths), then one of each.
await post(start(7_200_000_000));
await measure('new resident /start', start(7_200_000_001));
const municipalityId = Object.values(database.demo.municipalities)[0]!;
for (const id of [7_200_000_100, 7_200_000_101]) {
  const now = new Date();
  const { resident } = await touchResident(database.db, { channel: 'tg', externalId: String(id), chatId: String(id), displayName: 'Житель' }, now);
  await giveConsent(database.db, resident.id, 'tg', 'consent text', now);
  await updateResident(database.db, resident.id, { registeredAt: now, municipalityId });
}
await post(tap(7_200_000_100));
await measure('registered resident taps a button', tap(7_200_000_101));

// CPU per update: this process (the app, in process: no HTTP) and the PostgreSQL backends of the
// test database, over BENCH_N updates (default 400) at 16 at a time.
const runs = Number(process.env.BENCH_N ?? 400);
async function backendsCpuMs(): Promise<number> {
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(database.db);
  let total = 0;
  for (const { pid } of rows) {
    try {
      total += processCpuMs(pid);
    } catch {
      // not visible (another user's process namespace): counted as 0
    }
  }
  return total;
}
async function cpu(name: string, make: () => object): Promise<void> {
  const updates = Array.from({ length: runs }, make);
  if (process.env.BENCH_WINDOWS) console.log(`window ${name} start ${process.hrtime.bigint() / 1000n}`);
  const pgBefore = await backendsCpuMs();
  log = [];
  const before = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < updates.length) await post(updates[next++]!);
    }),
  );
  const wall = performance.now() - started;
  const used = process.cpuUsage(before);
  const statements = log.length;
  log = undefined;
  const pgUsed = (await backendsCpuMs()) - pgBefore;
  if (process.env.BENCH_WINDOWS) console.log(`window ${name} end ${process.hrtime.bigint() / 1000n}`);
  console.log(
    `${name}: ${(runs / (wall / 1000)).toFixed(0)} updates/s in process; CPU per update: app ${((used.user + used.system) / 1000 / runs).toFixed(2)} ms, PostgreSQL ${(pgUsed / runs).toFixed(2)} ms; round trips per update, all connections (the outbox's too): ${(statements / runs).toFixed(2)}`,
  );
}
let nextId = 7_300_000_000;
await cpu('new residents /start', () => start(nextId++));
const registered: number[] = [];
for (let i = 0; i < runs; i++) {
  const id = nextId++;
  registered.push(id);
  const now = new Date();
  const { resident } = await touchResident(database.db, { channel: 'tg', externalId: String(id), chatId: String(id), displayName: 'Житель' }, now);
  await giveConsent(database.db, resident.id, 'tg', 'consent text', now);
  await updateResident(database.db, resident.id, { registeredAt: now, municipalityId });
}
let r = 0;
await cpu('registered residents tap a button', () => tap(registered[r++]!));
await app.stop();
await api.stop();
await database.close();
