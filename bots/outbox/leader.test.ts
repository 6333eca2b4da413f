import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { connectDatabase, type DatabaseHandle } from '../../core/db/connect.ts';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../../test/database.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { allSettled, enqueueMarked, eventually, markerOf, renderTelegram, silentLogger } from '../../test/outbox.ts';
import { createTranslator } from '../i18n.ts';
import { createOutboxSenders, type OutboxSenders } from './senders.ts';

/**
 * Two app instances on one database, one bot token, one fake Bot API that enforces Telegram's
 * limits: the token's limits hold without dividing them, because one instance at a time sends.
 * On PostgreSQL each instance has its own pool and its own leader connection (advisory lock); on
 * PGlite both share the process and its one connection, and the in-process election decides.
 */
let t: TestDatabase;
let api: FakeTelegramApi;
let second: DatabaseHandle | undefined;

const RATE = 40;

beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
  api = await new FakeTelegramApi({ perSecond: RATE, perChatPerSecond: 1 }).start();
  second = t.url ? await connectDatabase({ url: t.url, poolSize: 4 }) : undefined;
});
afterAll(async () => {
  await second?.close();
  await api.stop();
  await t.close();
});

function instance(handle: DatabaseHandle): OutboxSenders {
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: '123:TEST',
    TELEGRAM_API_ROOT: api.url,
    OUTBOX_TG_PER_SECOND: String(RATE),
    OUTBOX_POLL_MS: '50',
    OUTBOX_LEADER_RETRY_MS: '200',
    LOG_LEVEL: 'silent',
  });
  return createOutboxSenders({ config, db: handle.db, databaseUrl: handle.url, logger: silentLogger, translate: createTranslator(), renderTelegram, settings: { flushMs: 10 } });
}

describe(`two instances, one token (${isRealPostgres() ? 'PostgreSQL: two pools, advisory lock' : 'PGlite: one process'})`, () => {
  it("send within the token's limits together (0 × 429), and the other takes over when the sender stops", { timeout: 60_000 }, async () => {
    const a = instance(t);
    const b = instance(second ?? t);
    a.start();
    await eventually(async () => a.leading()[0] === true, 5000, 'a to lead');
    b.start();
    const ids = await enqueueMarked(
      t.db,
      Array.from({ length: 200 }, (_, i) => ({ chatId: 80_000 + i, marker: 80_000 + i })),
    );
    a.kick();
    b.kick(); // b does not send: it wakes the leader (NOTIFY on PostgreSQL)
    await allSettled(t.db, ids, 30_000);
    expect(b.leading()).toEqual([false]);
    const claimers = await t.db.selectFrom('outbox').select('claimed_by').distinct().where('id', 'in', ids).execute();
    expect(claimers.map((c) => c.claimed_by)).toEqual([a.senders[0]!.instanceId]);

    // The leader stops mid-way (a deploy, a crash): the other instance takes over and finishes.
    const more = await enqueueMarked(
      t.db,
      Array.from({ length: 200 }, (_, i) => ({ chatId: 90_000 + i, marker: 90_000 + i })),
    );
    a.kick();
    await api.waitFor(() => api.callsOf('sendMessage').length >= 260, 20_000);
    await a.stop();
    await eventually(async () => b.leading()[0] === true, 5000, 'b to take over');
    await allSettled(t.db, more, 30_000);
    await b.stop();

    const states = await t.db
      .selectFrom('outbox')
      .select('state')
      .where('id', 'in', [...ids, ...more])
      .execute();
    expect(states.every((s) => s.state === 'sent')).toBe(true);
    const markers = api.callsOf('sendMessage').map((c) => markerOf(String(c.params.text)));
    expect(new Set(markers).size).toBe(400);
    expect(markers).toHaveLength(400); // nobody sent a row twice
    const byInstance = await t.db.selectFrom('outbox').select('claimed_by').distinct().where('id', 'in', more).execute();
    expect(byInstance.map((c) => c.claimed_by).sort()).toEqual([a.senders[0]!.instanceId, b.senders[0]!.instanceId].sort());
    expect(api.count429).toBe(0);
  });
});
