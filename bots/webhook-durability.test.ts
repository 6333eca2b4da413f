import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../core/db/connect.ts';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../test/database.ts';
import { databaseStatementTimeout, failUpdateRecords, holdTableLock, refuseConnections, type Restore } from '../test/db-faults.ts';
import { BotHarness } from '../test/bots/harness.ts';
import { newUser } from '../test/telegram/updates.ts';
import { newVkUser, VkConversation } from '../test/vk/conversation.ts';
import { createTranslator } from './i18n.ts';

/**
 * A webhook answers 2xx only once its update is durably recorded (handled, or recorded as poison);
 * when even that cannot be written it answers 5xx, and the messenger's re-delivery is then handled
 * once. The app runs on a pool of its own, small and quick to give up (PostgreSQL), so pool
 * exhaustion happens too.
 */
let db: TestDatabase;
let appDb: DatabaseHandle;
let harness: BotHarness;
const t = createTranslator();
const POOL = { size: 3, waitMs: 400 };

beforeAll(async () => {
  db = await createTestDatabase();
  appDb = db.url ? await connectDatabase({ url: db.url, poolSize: POOL.size, poolWaitMs: POOL.waitMs, onPoolError: () => {} }) : db;
  harness = await BotHarness.start({ database: appDb });
});
afterAll(async () => {
  await harness?.close();
  if (appDb !== db) await appDb?.close();
  await db?.close();
});

let nextUpdateId = 910_000_000;
type Delivery = { kind: 'tg'; userId: number; body: Record<string, unknown>; updateId: string } | { kind: 'vk'; userId: number; body: Record<string, unknown>; updateId: string };

function tgStart(): Delivery {
  const user = newUser();
  const updateId = nextUpdateId++;
  const body = {
    update_id: updateId,
    message: {
      message_id: 1,
      date: 1764000000,
      from: user,
      chat: { id: user.id, type: 'private', first_name: user.first_name },
      text: '/start',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  };
  return { kind: 'tg', userId: user.id, body, updateId: String(updateId) };
}

function vkStart(): Delivery {
  const user = newVkUser();
  // The VK player completes the event as VK sends it (group, secret, event_id, sender, client_info).
  const body = new VkConversation(harness, user).complete({ type: 'message_new', object: { message: { text: '/start' } } });
  return { kind: 'vk', userId: user.id, body, updateId: String(body.event_id) };
}

/** Posts one delivery as the messenger would; `acknowledged` is what the messenger takes as "received". */
async function deliver(d: Delivery): Promise<{ status: number; acknowledged: boolean }> {
  const response = d.kind === 'tg' ? await harness.post(d.body) : await harness.postVk(d.body);
  const text = await response.text();
  const acknowledged = d.kind === 'tg' ? response.status >= 200 && response.status < 300 : response.status === 200 && text === 'ok';
  return { status: response.status, acknowledged };
}

/** The processed_update rows of these deliveries (there must be at least one). */
const processedRows = (deliveries: Delivery[]) =>
  db.db
    .selectFrom('processed_update')
    .select(['channel', 'update_id'])
    .where(
      'update_id',
      'in',
      deliveries.map((d) => d.updateId),
    )
    .execute();

async function recordedIds(deliveries: Delivery[]): Promise<Set<string>> {
  if (deliveries.length === 0) return new Set();
  const rows = await processedRows(deliveries);
  return new Set(rows.map((r) => `${r.channel}:${r.update_id}`));
}
const keyOf = (d: Delivery) => `${d.kind}:${d.updateId}`;

/** What the resident saw: the texts the bot sent to them. */
const textsTo = (d: Delivery) => (d.kind === 'tg' ? harness.fake.textsTo(d.userId) : harness.vkFake.textsTo(d.userId));

/** Each resident got exactly the one answer of their /start, and each update is recorded once. */
async function expectHandledOnce(deliveries: Delivery[]): Promise<void> {
  for (const d of deliveries) expect(textsTo(d), `${d.kind} ${d.userId}`).toEqual([t('ru', 'reg.choose_language')]);
  const rows = await processedRows(deliveries);
  expect(rows).toHaveLength(deliveries.length);
}

interface Fault {
  name: string;
  begin(): Promise<Restore>;
}
const faults: Fault[] = [
  { name: 'processed_update refuses writes (handling and the poison record both fail)', begin: () => failUpdateRecords(db.db) },
  ...(isRealPostgres() ? [{ name: 'the database refuses connections and its sessions are terminated', begin: () => refuseConnections(db) }] : []),
];

describe.each(faults)('database fault: $name', (fault) => {
  it('Telegram and VK webhooks answer 5xx and send nothing; re-delivered after the fault, each update is handled once and answered', async () => {
    const deliveries = [tgStart(), tgStart(), vkStart(), vkStart()];
    const restore = await fault.begin();
    let during: { status: number; acknowledged: boolean }[];
    try {
      during = [];
      for (const d of deliveries) during.push(await deliver(d));
    } finally {
      await restore();
    }
    expect(during.map((r) => r.acknowledged)).toEqual(deliveries.map(() => false));
    expect(during.map((r) => r.status >= 500)).toEqual(deliveries.map(() => true));
    expect(await recordedIds(deliveries)).toEqual(new Set());
    for (const d of deliveries) expect(textsTo(d)).toEqual([]);

    // The messengers deliver again (twice, as a retry racing a slow answer would): handled once.
    for (const d of deliveries) expect(await deliver(d)).toEqual({ status: 200, acknowledged: true });
    for (const d of deliveries) expect(await deliver(d)).toEqual({ status: 200, acknowledged: true });
    await expectHandledOnce(deliveries);
  });
});

if (isRealPostgres()) {
  describe('statement timeout and pool exhaustion under a burst (PostgreSQL)', () => {
    it('no update is acknowledged unless it is recorded; the re-delivered rest is handled once', async () => {
      const burst = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? tgStart() : vkStart()));
      const restoreTimeout = await databaseStatementTimeout(db, '250ms');
      const outcomes = new Map<Delivery, boolean>();
      try {
        // First half while another session holds a lock every dialog needs: handling waits, times
        // out, and the requests queued behind it run out of pool wait time.
        const releaseLock = await holdTableLock(db, 'dialog_state');
        let locked: boolean[];
        try {
          locked = (await Promise.all(burst.slice(0, 20).map(deliver))).map((r) => r.acknowledged);
        } finally {
          await releaseLock();
        }
        expect(locked).toEqual(locked.map(() => false));
        for (const [i, d] of burst.slice(0, 20).entries()) outcomes.set(d, locked[i]!);
        // Second half without the lock, all at once on a pool of 3: some may still run out of wait time.
        const rest = await Promise.all(burst.slice(20).map(deliver));
        for (const [i, d] of burst.slice(20).entries()) outcomes.set(d, rest[i]!.acknowledged);
      } finally {
        await restoreTimeout();
      }
      // Every acknowledgement has its record; nothing unacknowledged was recorded.
      const recorded = await recordedIds(burst);
      for (const [d, acknowledged] of outcomes) expect(recorded.has(keyOf(d)), `${keyOf(d)} acknowledged=${acknowledged}`).toBe(acknowledged);
      for (const [d, acknowledged] of outcomes) if (!acknowledged) expect(textsTo(d)).toEqual([]);

      // The messengers re-deliver whatever got no acknowledgement.
      const retried = [...outcomes].filter(([, acknowledged]) => !acknowledged).map(([d]) => d);
      expect(retried.length).toBeGreaterThanOrEqual(20);
      for (const d of retried) expect(await deliver(d)).toEqual({ status: 200, acknowledged: true });
      await expectHandledOnce(burst);
    });
  });

  describe('a PostgreSQL session that dies while its connection is checked out', () => {
    let scratch: TestDatabase;
    let handle: DatabaseHandle;
    beforeAll(async () => {
      scratch = await createTestDatabase({ seed: false });
      handle = await connectDatabase({ url: scratch.url, poolSize: 2 });
    });
    afterAll(async () => {
      await handle?.close();
      await scratch?.close();
    });

    it('fails the transaction with the connection error instead of crashing the process', async () => {
      const seen: unknown[] = [];
      const onUncaught = (err: unknown) => seen.push(err);
      process.on('uncaughtException', onUncaught);
      try {
        const outcome = handle.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
          const admin = new pg.Client({ connectionString: scratch.url });
          await admin.connect();
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
          await admin.end();
          // The client is checked out and idle here, as during a transaction waiting on other work.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`SELECT 1`.execute(trx);
        });
        await expect(outcome).rejects.toThrow(/terminat|ECONNRESET|not queryable/i);
        expect(seen).toEqual([]);
        // The pool replaces the dead connection.
        const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db);
        expect(rows).toEqual([{ one: 1 }]);
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    });
  });
}
