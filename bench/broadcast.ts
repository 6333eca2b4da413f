import { startBench } from './setup.ts';
import { sql } from 'kysely';
import { enqueue, PRIORITY } from '../core/outbox/outbox.repository.ts';
import { announce } from '../core/broadcasts/broadcasts.ts';
import { startBroadcastExpander } from '../core/broadcasts/expander.ts';
import { createOutboxSender } from '../bots/outbox/sender.ts';
import { createTelegramTransport } from '../bots/outbox/telegram-transport.ts';
import { senderSettings } from '../bots/outbox/senders.ts';
import { markedPayload, renderTelegram, silentLogger } from '../test/outbox.ts';

/**
 * A broadcast to BENCH_RECIPIENTS residents (default 20,000) through the whole path: announce →
 * the expander writes the audience in keyset batches while the sender already sends → the sender
 * paces the bulk lane at the token's rate; a status notification is committed every 200 ms
 * meanwhile, and its wait from commit to the Bot API is measured. The fake Bot API enforces
 * Telegram's limits scaled by BENCH_SCALE (default ×5, to keep the run short) on a thread of its
 * own. Embedded PGlite, or a scratch database on the DATABASE_URL server (dropped after).
 * The last line is the summary the issue asks for.
 */
// ×5 by default: 20,000 messages in about two and a half minutes. At ×10 the sender and the fake
// (one process, two threads) need most of a 2-core machine, and its scheduling jitter starts to
// exceed the 50 ms the pacer keeps in hand (README, "Delivery").
const bench = await startBench({ defaultScale: 5 });
const { scale, config, limits, database, api } = bench;
const db = database.db;
const recipients = Number(process.env.BENCH_RECIPIENTS ?? 20_000);
const noticeEveryMs = 200;

// The audience, made in the database: registered, consenting residents of one municipality, one Telegram chat each.
const [town] = (
  await sql<{ id: number }>`
  INSERT INTO municipality (name_ru, name_en, oktmo, population_over_14) VALUES ('Бенчмарк', 'Bench', 'bench-1', 100000) RETURNING id
`.execute(db)
).rows;
await sql`INSERT INTO resident (id, language, municipality_id, registered_at) SELECT g, 'ru', ${town!.id}, now() FROM generate_series(1, ${recipients}) g`.execute(db);
await sql`INSERT INTO resident_identity (resident_id, channel, external_id, chat_id) SELECT g, 'tg', (1000000 + g)::text, (1000000 + g)::text FROM generate_series(1, ${recipients}) g`.execute(db);
await sql`INSERT INTO consent (resident_id, channel, text_version, text_hash, given_at) SELECT g, 'tg', 'v1', 'h', now() FROM generate_series(1, ${recipients}) g`.execute(db);
console.log(
  `database: ${database.kind}; ${recipients} residents; limits ×${scale}: ${limits.perSecond}/s overall, ${limits.perChatPerSecond}/s per chat; headroom ${config.OUTBOX_RATE_HEADROOM}; batches of ${config.BROADCAST_BATCH_SIZE}`,
);

const sender = createOutboxSender({
  db,
  logger: silentLogger,
  transport: createTelegramTransport({ token: '1:BENCH', apiRoot: api.url, render: renderTelegram, timeoutMs: config.OUTBOX_SEND_TIMEOUT_MS }),
  limits,
  settings: senderSettings(config),
});
const startedAt = Date.now();
await announce(db, { audience: { municipalityId: town!.id, topic: 'news' }, message: { key: 'broadcast.official', params: { text: 'Новости недели' } } });
sender.start();
const expander = startBroadcastExpander({ db, batchSize: config.BROADCAST_BATCH_SIZE, pollMs: config.BROADCAST_POLL_MS, onRows: () => sender.kick(), onError: (error) => console.error(error) });

// Status notifications while the broadcast runs, each committed and kicked like a handler would.
const enqueuedAt = new Map<number, number>();
let notice = 0;
const allAccepted = async () => (await api.count()).accepted >= recipients + enqueuedAt.size;
while (!(await allAccepted())) {
  const marker = 3_000_000 + notice++;
  enqueuedAt.set(marker, Date.now());
  await enqueue(db, [{ channel: 'tg', chatId: String(marker), recipientKind: 'chat', kind: 'bench:notification', payload: markedPayload(marker), priority: PRIORITY.notification }]);
  sender.kick();
  await new Promise((r) => setTimeout(r, noticeEveryMs));
  if (Date.now() - startedAt > 15 * 60_000) throw new Error('the broadcast did not finish in 15 minutes');
}
const dump = await api.dump();
await expander.stop();
await sender.stop();

const markerIn = (text: string) => Number(/#(\d+)/.exec(text)?.[1] ?? NaN);
const broadcastCalls = dump.calls.filter((c) => !enqueuedAt.has(markerIn(c.text)));
// The rate while the broadcast is sent: from its first message to its last, every call in that span
// counted (status notifications too: they share the token's budget). The time to the first message
// (announce, the first expansion batch, the sender's start) is printed on its own.
const firstAt = Math.min(...broadcastCalls.map((c) => c.at));
const lastAt = Math.max(...broadcastCalls.map((c) => c.at));
const total = dump.calls.filter((c) => c.at >= firstAt && c.at <= lastAt).length;
const seconds = (lastAt - firstAt) / 1000;
const percent = Math.floor((total / seconds / limits.perSecond) * 100);
const waits = dump.calls
  .filter((c) => enqueuedAt.has(markerIn(c.text)))
  .map((c) => c.at - enqueuedAt.get(markerIn(c.text))!)
  .sort((a, b) => a - b);
const pick = (q: number) => waits[Math.min(waits.length - 1, Math.ceil(waits.length * q) - 1)] ?? 0;
const states = await db
  .selectFrom('outbox')
  .select('state')
  .select((eb) => eb.fn.countAll<number>().as('n'))
  .groupBy('state')
  .execute();
console.log(`first broadcast message ${firstAt - startedAt} ms after the announcement`);
console.log(`sent ${total} in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(1)}/s of ${limits.perSecond}/s allowed; rows: ${states.map((s) => `${s.state} ${s.n}`).join(', ')}`);
console.log(`status notifications during the broadcast: ${waits.length}; wait from commit to the Bot API: median ${pick(0.5)} ms, p99 ${pick(0.99)} ms, longest ${waits.at(-1) ?? 0} ms`);
if (dump.rejectedAt.length > 0) console.log(`refused calls at ${dump.rejectedAt.map((at) => `+${((at - startedAt) / 1000).toFixed(2)} s`).join(', ')}`);
await bench.close();
console.log(`broadcast: ${broadcastCalls.length} recipients, ${percent}% of the allowed rate, status p99 wait ${pick(0.99)} ms, ${dump.count429} × 429`);
