import { startBench } from './setup.ts';
import { enqueue, PRIORITY } from '../core/outbox/outbox.repository.ts';
import { createOutboxSender } from '../bots/outbox/sender.ts';
import { createTelegramTransport } from '../bots/outbox/telegram-transport.ts';
import { markedPayload, markerOf, renderTelegram, silentLogger } from '../test/outbox.ts';
import { senderSettings } from '../bots/outbox/senders.ts';

/**
 * Outbox throughput and priority under a broadcast: several thousand messages to distinct chats,
 * plus a status notification every 200 ms while it runs, sent through the real sender against the
 * fake Bot API enforcing Telegram's limits scaled by BENCH_SCALE (to keep the run short).
 * Embedded PGlite, or a scratch database created on the DATABASE_URL server and dropped after.
 * The last line is the summary: messages, share of the allowed rate achieved, 429s received.
 */
const bench = await startBench({ defaultScale: 10 });
const { scale, config, limits, database, api } = bench;
const db = database.db;
const broadcastSize = Number(process.env.BENCH_BROADCAST ?? 5000);
const noticeEveryMs = 200;


console.log(`database: ${database.kind}; limits ×${scale}: ${limits.perSecond}/s overall, ${limits.perChatPerSecond}/s per chat, ${limits.perGroupPerMinute}/min per group; headroom ${config.OUTBOX_RATE_HEADROOM}`);
for (let i = 0; i < broadcastSize; i += 1000) {
  const n = Math.min(1000, broadcastSize - i);
  await enqueue(db, Array.from({ length: n }, (_, k) => ({
    channel: 'tg' as const, chatId: String(1_000_000 + i + k), recipientKind: 'chat' as const, kind: 'bench:broadcast',
    payload: markedPayload(1_000_000 + i + k), priority: PRIORITY.broadcast,
  })));
}
console.log(`broadcast of ${broadcastSize} queued`);

const sender = createOutboxSender({
  db,
  logger: silentLogger,
  transport: createTelegramTransport({ token: '1:BENCH', apiRoot: api.url, render: renderTelegram, timeoutMs: config.OUTBOX_SEND_TIMEOUT_MS }),
  limits,
  settings: { ...senderSettings(config), ...(process.env.BENCH_BATCH && { batchSize: Number(process.env.BENCH_BATCH) }), ...(process.env.BENCH_FLUSH && { flushMs: Number(process.env.BENCH_FLUSH) }) },
});
const startedAt = Date.now();
sender.start();

// Status notifications while the broadcast runs, each committed and kicked like a handler would.
const enqueuedAt = new Map<number, number>();
let notice = 0;
const broadcastDone = async () => (await api.count()).accepted >= broadcastSize + enqueuedAt.size;
while (!(await broadcastDone())) {
  const marker = 2_000_000 + notice++;
  enqueuedAt.set(marker, Date.now());
  await enqueue(db, [{ channel: 'tg', chatId: String(marker), recipientKind: 'chat', kind: 'bench:notification', payload: markedPayload(marker), priority: PRIORITY.notification }]);
  sender.kick();
  await new Promise((r) => setTimeout(r, noticeEveryMs));
}
const deadline = Date.now() + 60_000;
while ((await api.count()).accepted < broadcastSize + enqueuedAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const dump = await api.dump();
const count429 = dump.count429;
// The rate is measured over the broadcast: from the sender's start to the broadcast's last message
// (notifications enqueued after that would only add idle time between them).
const lastAt = Math.max(...dump.calls.filter((c) => markerOf(c.text) < 2_000_000).map((c) => c.at));
const calls = dump.calls.filter((c) => c.at <= lastAt);
await sender.stop();

const waits = dump.calls
  .map((c) => ({ marker: markerOf(c.text), at: c.at }))
  .filter((c) => enqueuedAt.has(c.marker))
  .map((c) => c.at - enqueuedAt.get(c.marker)!)
  .sort((a, b) => a - b);
const total = calls.length;
const seconds = (lastAt - startedAt) / 1000;
const percent = Math.floor((total / seconds / limits.perSecond) * 100);
const states = await db.selectFrom('outbox').select('state').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', 'like', 'bench:%').groupBy('state').execute();
console.log(`sent ${total} in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(1)}/s of ${limits.perSecond}/s allowed; rows: ${states.map((s) => `${s.state} ${s.n}`).join(', ')}`);
const pick = (q: number) => waits[Math.min(waits.length - 1, Math.floor(waits.length * q))];
console.log(`status notifications during the broadcast: ${waits.length}; wait behind the broadcast: median ${pick(0.5)} ms, p90 ${pick(0.9)} ms, longest ${waits[waits.length - 1]} ms`);
await bench.close();
if (dump.rejectedAt.length > 0) console.log(`refused calls at ${dump.rejectedAt.map((at) => `+${((at - startedAt) / 1000).toFixed(2)} s`).join(', ')}`);
console.log(`outbox: ${total} messages, ${percent}% of the allowed rate, ${count429} × 429`);
